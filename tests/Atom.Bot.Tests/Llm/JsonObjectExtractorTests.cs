using Atom.Bot.Llm;

namespace Atom.Bot.Tests.Llm;

public sealed class JsonObjectExtractorTests
{
    [Theory]
    [InlineData("{\"a\": 1}")]
    [InlineData("  {\"a\": 1}\n")]
    [InlineData("```json\n{\"a\": 1}\n```")]
    [InlineData("```\n{\"a\": 1}\n```")]
    [InlineData("Sure! Here is the object:\n```json\n{\"a\": 1}\n```\nAnything else?")]
    [InlineData("Here it is: {\"a\": 1} as requested.")]
    [InlineData("<think>maybe {\"a\": 2}? no.</think>\n{\"a\": 1}")]
    [InlineData("{\"a\": 1,}")]
    public void Extract_object_in_tolerated_shapes_returns_it(string text)
    {
        var value = JsonObjectExtractor.Extract(text, out var problem);

        problem.ShouldBeNull();
        value.ShouldNotBeNull();
        value.Value.GetProperty("a").GetInt32().ShouldBe(1);
    }

    [Fact]
    public void Extract_braces_inside_strings_do_not_end_the_object()
    {
        var value = JsonObjectExtractor.Extract("Result: {\"msg\": \"a } and { b\", \"n\": {\"x\": \"\\\"}\"}} done", out var problem);

        problem.ShouldBeNull();
        value!.Value.GetProperty("msg").GetString().ShouldBe("a } and { b");
        value.Value.GetProperty("n").GetProperty("x").GetString().ShouldBe("\"}");
    }

    [Fact]
    public void Extract_skips_prose_braces_before_the_object()
    {
        var value = JsonObjectExtractor.Extract("Use {curly} braces. {\"a\": 1}", out var problem);

        problem.ShouldBeNull();
        value!.Value.GetProperty("a").GetInt32().ShouldBe(1);
    }

    [Theory]
    [InlineData(null, "empty")]
    [InlineData("   ", "empty")]
    [InlineData("I think the change is fine.", "no JSON object")]
    [InlineData("[1, 2]", "not an object")]
    [InlineData("{\"score\": 0.5, \"verd", "malformed")]
    [InlineData("```json\n{\"a\": }\n```", "malformed")]
    public void Extract_unusable_reply_returns_null_with_a_problem(string? text, string expected)
    {
        var value = JsonObjectExtractor.Extract(text, out var problem);

        value.ShouldBeNull();
        problem.ShouldNotBeNull().ShouldContain(expected);
    }
}
