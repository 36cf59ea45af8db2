using Atom.Bot.Retrieval;

namespace Atom.Bot.Tests.Retrieval;

public sealed class OutlineTests
{
    [Fact]
    public void CSharp_types_and_methods_with_their_lines_and_not_calls_or_statements()
    {
        const string Code = """
            namespace Shop;

            public sealed class InvoiceCalculator
            {
                private readonly int _x;

                public decimal ComputeTax(decimal amount, string region)
                {
                    if (amount < 0) { return 0; }
                    var total = Round(amount);
                    return Helper.Apply(total);
                }

                internal static async Task<int> LoadAsync(CancellationToken cancellationToken) => await Task.FromResult(1);
            }

            public record Line(string Sku, int Count);
            """;

        Outline.Of("src/Shop/InvoiceCalculator.cs", Code, 20).ShouldBe(
        [
            new OutlineEntry(3, "public sealed class InvoiceCalculator"),
            new OutlineEntry(7, "public decimal ComputeTax(decimal amount, string region)"),
            new OutlineEntry(14, "internal static async Task<int> LoadAsync(CancellationToken cancellationToken)"),
            new OutlineEntry(17, "public record Line(string Sku, int Count);"),
        ]);
    }

    [Theory]
    [InlineData("app.py", "class Shop:\n    def total(self, items):\n        return sum(items)\nasync def main():\n    pass\n", new[] { 1, 2, 4 })]
    [InlineData("main.go", "package main\n\ntype Shop struct {\n}\n\nfunc (s *Shop) Total() int {\n\treturn 0\n}\n", new[] { 3, 6 })]
    [InlineData("lib.rs", "pub struct Shop;\nimpl Shop {\n    pub fn total(&self) -> u32 { 0 }\n}\nfn helper() {}\n", new[] { 1, 2, 3, 5 })]
    [InlineData("shop.rb", "module Shop\n  class Cart\n    def total\n    end\n  end\nend\n", new[] { 1, 2, 3 })]
    [InlineData("Shop.java", "public class Shop {\n    public int total(List<Item> items) {\n        return helper(items);\n    }\n}\n", new[] { 1, 2 })]
    [InlineData("Shop.kt", "data class Item(val price: Int)\nfun total(items: List<Item>): Int = items.sumOf { it.price }\n", new[] { 1, 2 })]
    [InlineData("shop.ts", "export class Shop {\n  total(items: Item[]): number {\n    return sum(items);\n  }\n}\nexport const price = (item: Item) => item.price;\nexport function helper() {}\ninterface Item { price: number }\n", new[] { 1, 2, 6, 7, 8 })]
    public void Each_language_family_finds_its_definitions(string path, string code, int[] lines)
    {
        Outline.Of(path, code, 20).Select(e => e.Line).ShouldBe(lines);
    }

    [Fact]
    public void Unknown_languages_have_no_outline_and_the_entry_count_is_capped()
    {
        Outline.Of("README.md", "# class Foo\n", 20).ShouldBeEmpty();
        var many = string.Concat(Enumerable.Range(0, 50).Select(i => $"def f{i}():\n    pass\n"));
        Outline.Of("many.py", many, 5).Count.ShouldBe(5);
    }

    [Fact]
    public void A_long_signature_is_cut_to_one_short_line()
    {
        var code = "public void M(" + string.Join(", ", Enumerable.Range(0, 40).Select(i => $"int p{i}")) + ") { }";
        var entry = Outline.Of("a.cs", code, 5).ShouldHaveSingleItem();
        entry.Signature.Length.ShouldBe(Outline.MaxSignatureLength);
        entry.Signature.ShouldEndWith("…");
    }
}
