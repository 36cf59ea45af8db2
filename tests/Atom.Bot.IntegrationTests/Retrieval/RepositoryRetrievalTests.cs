using System.Text.Json;
using System.Text.Json.Nodes;
using Atom.Bot.Git;
using Atom.Bot.IntegrationTests.Git;
using Atom.Bot.IntegrationTests.Support;
using Atom.Bot.Retrieval;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace Atom.Bot.IntegrationTests.Retrieval;

/// <summary>
/// Retrieval over a real mirror: with a WireMock <c>/v1/embeddings</c> in OpenAI's shape, fused with BM25 when it answers
/// (after 429s and 503s), BM25 alone with a warning when it cannot be reached; without a mirror or with a broken index.
/// </summary>
public sealed class RepositoryRetrievalTests : IDisposable
{
    private const string ApiKey = "sk-embeddings-test-7f3a";

    // The refund file shares no word with the query: only its embedding can bring it in.
    private static readonly Dictionary<string, string> Files = new()
    {
        ["src/Payments/RefundIssuer.cs"] = "public sealed class RefundIssuer\n{\n    public void Reimburse(Order order) { }\n}\n",
        ["src/Billing/InvoiceCalculator.cs"] = "public sealed class InvoiceCalculator\n{\n    public decimal ComputeTax(decimal amount) => amount;\n}\n",
        ["src/Web/HomeController.cs"] = "public sealed class HomeController\n{\n    public string Index() => \"home\";\n}\n",
    };

    private const string Query = "Customers want their money back; also the invoice tax";

    private readonly string _dataDir = Directory.CreateTempSubdirectory("atom-retrieval-test-").FullName;
    private readonly TestRepository _remote = TestRepository.Create(Files);
    private readonly WireMockServer _embeddings = LoopbackWireMock.Start();
    private readonly CapturingLogger<RepositoryRetrieval> _log = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Embeddings_after_a_429_and_a_503_are_fused_with_bm25_and_cached_by_blob()
    {
        _embeddings.Given(Request.Create().WithPath("/v1/embeddings").UsingPost()).InScenario("flaky").WillSetStateTo("busy")
            .RespondWith(Response.Create().WithStatusCode(429).WithHeader("Retry-After", "0").WithBody("""{"error":{"message":"rate limited"}}"""));
        _embeddings.Given(Request.Create().WithPath("/v1/embeddings").UsingPost()).InScenario("flaky").WhenStateIs("busy").WillSetStateTo("up")
            .RespondWith(Response.Create().WithStatusCode(503));
        _embeddings.Given(Request.Create().WithPath("/v1/embeddings").UsingPost()).InScenario("flaky").WhenStateIs("up").WillSetStateTo("up")
            .RespondWith(Response.Create().WithCallback(request => new WireMock.ResponseMessage
            {
                StatusCode = 200,
                BodyData = new WireMock.Util.BodyData { BodyAsString = Answer(request.Body!), DetectedBodyType = WireMock.Types.BodyType.String },
                Headers = new Dictionary<string, WireMock.Types.WireMockList<string>> { ["Content-Type"] = new("application/json") },
            }));
        await using var git = await MirrorAsync();
        var retrieval = Retrieval(git, new Uri($"{_embeddings.Urls[0]}/v1/"));

        var relevant = await retrieval.RelevantAsync(_remote.Ref, "main", Query, null, Ct);

        relevant.Hybrid.ShouldBeTrue(string.Join("\n", _log.Entries.Select(e => e.Message)) + string.Join(",", _embeddings.LogEntries.Select(e => e.ResponseMessage!.StatusCode)));
        relevant.Files.Select(f => f.Path).Take(2).ShouldBe(["src/Billing/InvoiceCalculator.cs", "src/Payments/RefundIssuer.cs"], ignoreOrder: true);
        relevant.Files.Single(f => f.Path == "src/Payments/RefundIssuer.cs").Outline.ShouldContain(e => e.Signature == "public sealed class RefundIssuer");
        var requests = _embeddings.LogEntries.ToList();
        requests.Select(r => r.ResponseMessage!.StatusCode).ShouldBe([429, 503, 200, 200], "a 429, a 503, the files' chunks, the query");
        requests.ShouldAllBe(r => r.RequestMessage!.Headers!["Authorization"][0] == $"Bearer {ApiKey}");
        _log.Entries.ShouldNotContain(e => e.Level >= LogLevel.Warning);
        _log.Entries.ShouldNotContain(e => e.Message.Contains(ApiKey, StringComparison.Ordinal));

        // A new head with one changed file: only its chunks are embedded again, the rest comes from the cache.
        _remote.Commit("main", new Dictionary<string, string?> { ["src/Web/HomeController.cs"] = "public sealed class HomeController { }\n" }, "change the controller");
        await git.FetchAsync(_remote.Ref, null, Ct);
        await retrieval.RelevantAsync(_remote.Ref, "main", Query, null, Ct);

        var inputs = _embeddings.LogEntries.Skip(4).Select(e => JsonNode.Parse(e.RequestMessage!.Body!)!["input"]!.AsArray().Count).ToList();
        inputs.ShouldBe([1, 1], "the changed file's one chunk, then the query");
    }

    [Fact]
    public async Task A_dead_embeddings_endpoint_leaves_bm25_alone_with_a_warning()
    {
        await using var git = await MirrorAsync();
        var retrieval = Retrieval(git, new Uri($"http://127.0.0.1:{LoopbackWireMock.FreePort()}/v1/"));

        var relevant = await retrieval.RelevantAsync(_remote.Ref, "main", Query, null, Ct);

        relevant.Hybrid.ShouldBeFalse();
        relevant.Files[0].Path.ShouldBe("src/Billing/InvoiceCalculator.cs");
        relevant.Files.Select(f => f.Path).ShouldNotContain("src/Payments/RefundIssuer.cs", "BM25 cannot see it");
        var warning = _log.Entries.Where(e => e.Level == LogLevel.Warning).ShouldHaveSingleItem();
        warning.EventId.Id.ShouldBe(5403);
        warning.Message.ShouldContain("cannot be reached");
    }

    [Theory]
    [InlineData(400, """{"error":{"message":"bad model"}}""", 1, "answered 400")]
    [InlineData(200, """{"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.1,0.2]}]}""", 1, "1 embedding(s) for 2 input(s)")]
    [InlineData(200, "not json", 1, "not OpenAI's shape")]
    [InlineData(503, "", EmbeddingsClient.MaxAttempts, "answered 503")]
    public async Task A_refusal_or_a_wrong_answer_is_an_error_value_and_only_429_and_5xx_are_asked_again(int status, string body, int requests, string error)
    {
        _embeddings.Given(Request.Create().WithPath("/v1/embeddings").UsingPost())
            .RespondWith(Response.Create().WithStatusCode(status).WithHeader("Content-Type", "application/json").WithBody(body));
        var options = new RetrievalOptions
        {
            Directory = _dataDir,
            ContextTokens = 32768,
            EmbeddingsBaseUrl = new Uri($"{_embeddings.Urls[0]}/v1/"),
            EmbeddingsModel = "embed-small",
            EmbeddingsApiKey = ApiKey,
            EmbeddingsRetryDelay = TimeSpan.FromMilliseconds(1),
        };
        using var http = new HttpClient();

        var result = await new EmbeddingsClient(http, options).EmbedAsync(["one", "two"], Ct);

        result.IsOk.ShouldBeFalse();
        result.Error.ShouldNotBeNull().ShouldContain(error);
        result.Error.ShouldNotContain(ApiKey);
        _embeddings.LogEntries.Count.ShouldBe(requests);
    }

    [Fact]
    public async Task Retrieval_without_a_mirror_answers_nothing_and_warns()
    {
        await using var git = new GitWorkspace(GitOptions.From(GitWorkspaceTests.Options(_dataDir)), new CapturingLogger<GitWorkspace>());
        var retrieval = new RepositoryRetrieval(RetrievalOptions.From(GitWorkspaceTests.Options(_dataDir)), git, _log);

        var relevant = await retrieval.RelevantAsync(_remote.Ref, "main", Query, null, Ct);

        relevant.ShouldBe(RelevantFiles.None);
        _log.Entries.ShouldContain(e => e.Level == LogLevel.Warning && e.EventId.Id == 5402);
    }

    [Fact]
    public async Task A_corrupt_index_is_built_again_from_the_mirror_with_a_warning()
    {
        await using var git = await MirrorAsync();
        var retrieval = new RepositoryRetrieval(RetrievalOptions.From(GitWorkspaceTests.Options(_dataDir)), git, _log);
        (await retrieval.RelevantAsync(_remote.Ref, "main", Query, null, Ct)).Files.ShouldNotBeEmpty();
        var directory = Path.Combine(_dataDir, "retrieval", "acme", "widgets");
        foreach (var file in Directory.EnumerateFiles(directory).Where(f => !f.EndsWith(".lock", StringComparison.Ordinal)))
        {
            await File.WriteAllTextAsync(file, "not a Lucene file", Ct);
        }

        var relevant = await retrieval.RelevantAsync(_remote.Ref, "main", Query, null, Ct);

        relevant.Files[0].Path.ShouldBe("src/Billing/InvoiceCalculator.cs");
        _log.Entries.ShouldContain(e => e.Level == LogLevel.Warning && e.EventId.Id == 5405);
        _log.Entries.ShouldNotContain(e => e.EventId.Id == 5402);
    }

    public void Dispose()
    {
        _embeddings.Stop();
        _embeddings.Dispose();
        _remote.Dispose();
        Directory.Delete(_dataDir, recursive: true);
    }

    // A toy embedding: one dimension for "money back" (refunds, reimbursing), one for invoices and tax, one for the rest;
    // answered in reverse index order, as OpenAI's shape allows.
    private static string Answer(string body)
    {
        var inputs = JsonNode.Parse(body)!["input"]!.AsArray().Select(i => i!.GetValue<string>().ToLowerInvariant()).ToList();
        var data = inputs.Select((text, index) => new
        {
            @object = "embedding",
            index,
            embedding = new[]
            {
                text.Contains("refund", StringComparison.Ordinal) || text.Contains("reimburse", StringComparison.Ordinal) || text.Contains("money back", StringComparison.Ordinal) ? 1f : 0f,
                text.Contains("invoice", StringComparison.Ordinal) ? 0.5f : 0f,
                0.1f,
            },
        }).Reverse();
        return JsonSerializer.Serialize(new { @object = "list", data, model = "embed-small", usage = new { prompt_tokens = 5, total_tokens = 5 } });
    }

    private async Task<GitWorkspace> MirrorAsync()
    {
        var git = new GitWorkspace(GitOptions.From(GitWorkspaceTests.Options(_dataDir)), new CapturingLogger<GitWorkspace>());
        await git.FetchAsync(_remote.Ref, null, Ct);
        return git;
    }

    private RepositoryRetrieval Retrieval(GitWorkspace git, Uri embeddingsUrl)
    {
        var options = RetrievalOptions.From(GitWorkspaceTests.Options(_dataDir) with
        {
            EmbeddingsBaseUrl = embeddingsUrl,
            EmbeddingsModel = "embed-small",
            EmbeddingsApiKey = ApiKey,
        }) with { EmbeddingsRetryDelay = TimeSpan.FromMilliseconds(10) };
#pragma warning disable CA2000 // the client lives as long as the test's retrieval, as it lives as long as the service
        var client = new EmbeddingsClient(new HttpClient(), options);
#pragma warning restore CA2000
        return new RepositoryRetrieval(options, git, _log, new EmbeddingsRanker(client, options));
    }
}
