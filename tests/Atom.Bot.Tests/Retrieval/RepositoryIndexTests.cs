using Atom.Bot.Retrieval;

namespace Atom.Bot.Tests.Retrieval;

public sealed class RepositoryIndexTests : IDisposable
{
    private readonly string _indexDirectory = Directory.CreateTempSubdirectory("atom-index-").FullName;
    private readonly ScratchRepository _repository = ScratchRepository.Create(new Dictionary<string, string>
    {
        ["src/Billing/InvoiceCalculator.cs"] = "public sealed class InvoiceCalculator\n{\n    public decimal ComputeTax(decimal amount) => amount * 0.2m;\n}\n",
        ["src/Web/HomeController.cs"] = "public sealed class HomeController\n{\n    public string Index() => \"home page\";\n}\n",
        ["src/Storage/OrderStore.cs"] = "public sealed class OrderStore\n{\n    public void Save(Order order) { }\n}\n",
        ["docs/setup.md"] = "# Setup\nRun the service with dotnet run.\n",
        ["assets/logo.png"] = "PNG\0\0binary tax invoice",
    });

    [Fact]
    public void Ranks_by_content_and_path_terms_and_split_identifiers_match_prose()
    {
        using var index = new RepositoryIndex(_indexDirectory);
        index.Update(_repository.Root, "HEAD", CancellationToken.None);

        index.Search("The invoice calculator computes the wrong tax", 3).Select(h => h.Path).First().ShouldBe("src/Billing/InvoiceCalculator.cs");
        index.Search("home page of the web controller", 3).Select(h => h.Path).First().ShouldBe("src/Web/HomeController.cs");
        index.Search("orders are not saved", 3).Select(h => h.Path).First().ShouldBe("src/Storage/OrderStore.cs");
    }

    [Fact]
    public void Binary_files_are_held_without_text_and_never_match()
    {
        using var index = new RepositoryIndex(_indexDirectory);
        index.Update(_repository.Root, "HEAD", CancellationToken.None);

        index.Files().Single(f => f.Path == "assets/logo.png").IsText.ShouldBeFalse();
        index.Search("binary logo png", 10).Select(h => h.Path).ShouldNotContain("assets/logo.png");
    }

    [Fact]
    public void Only_changed_new_and_deleted_files_are_touched_and_the_index_answers_from_the_new_head()
    {
        using (var first = new RepositoryIndex(_indexDirectory))
        {
            var initial = first.Update(_repository.Root, "HEAD", CancellationToken.None);
            initial.Indexed.Count.ShouldBe(5);
        }

        var head = _repository.Commit(new Dictionary<string, string?>
        {
            ["src/Web/HomeController.cs"] = "public sealed class HomeController\n{\n    public string Refund() => \"refund the customer\";\n}\n",
            ["src/Storage/OrderStore.cs"] = null,
        });

        // A new index object over the same directory: what it knows comes from disk, as after a restart.
        using var index = new RepositoryIndex(_indexDirectory);
        var update = index.Update(_repository.Root, head, CancellationToken.None);

        update.Commit.ShouldBe(head);
        update.Indexed.ShouldBe(["src/Web/HomeController.cs"]);
        update.Deleted.ShouldBe(["src/Storage/OrderStore.cs"]);
        update.Unchanged.ShouldBe(3);
        index.Commit.ShouldBe(head);
        index.Search("refund the customer", 3).Select(h => h.Path).First().ShouldBe("src/Web/HomeController.cs");
        index.Search("page", 5).Select(h => h.Path).ShouldNotContain("src/Web/HomeController.cs", "the old content is gone");
        index.Files().Select(f => f.Path).ShouldNotContain("src/Storage/OrderStore.cs");
        index.Search("order store save", 5).Select(h => h.Path).ShouldNotContain("src/Storage/OrderStore.cs");

        index.Update(_repository.Root, head, CancellationToken.None).Indexed.ShouldBeEmpty("nothing changed since");
    }

    [Fact]
    public void A_filter_keeps_only_the_files_it_accepts_and_still_fills_the_count()
    {
        using var index = new RepositoryIndex(_indexDirectory);
        index.Update(_repository.Root, "HEAD", CancellationToken.None);

        var hits = index.Search("public sealed class", 2, path => path.StartsWith("src/Web/", StringComparison.Ordinal) || path.StartsWith("src/Storage/", StringComparison.Ordinal));

        hits.Select(h => h.Path).ShouldBe(["src/Storage/OrderStore.cs", "src/Web/HomeController.cs"], ignoreOrder: true);
    }

    public void Dispose()
    {
        _repository.Dispose();
        Directory.Delete(_indexDirectory, recursive: true);
    }
}
