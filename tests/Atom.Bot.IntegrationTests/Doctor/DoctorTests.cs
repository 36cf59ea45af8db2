using Atom.Bot.Configuration;
using Atom.Bot.Doctor;
using Atom.Bot.IntegrationTests.Support;

namespace Atom.Bot.IntegrationTests.Doctor;

/// <summary>
/// <c>atom doctor</c> against a GitHub stub (the App, its installation's permissions and events, a personal token's
/// scopes) and a scripted OpenAI-compatible server (models, tool calls, strict schemas, streaming, limited slots).
/// </summary>
public sealed class DoctorTests : IDisposable
{
    private const string WebhookSecret = "doctor-webhook-secret-0123456789abcdef";
    private const string ApiKey = "sk-doctor-test-key-9f8e7d6c5b4a";
    private readonly string _dataDir = Directory.CreateTempSubdirectory("atom-doctor-").FullName;
    private readonly GitHubStub _github = new();
    private readonly LlmScript _llm = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        _github.Dispose();
        _llm.Dispose();
        Directory.Delete(_dataDir, recursive: true);
    }

    [Fact]
    public async Task A_working_setup_passes_and_the_probe_recommends_the_servers_slots()
    {
        _github.InstallationPermissions["administration"] = "read";
        _llm.Capacity(2)
            .ReplyToolCall("add", new { a = 2, b = 3 })
            .ReplyJson(new { sum = 5 })
            .ReplyText("ok")
            // 600 ms an answer: twice in flight stays far under 1.5 times one alone, four far over, whatever the load adds.
            .ReplyText("ok", delay: TimeSpan.FromMilliseconds(600), times: 3 + 2 + 4 + 8);

        var (code, output) = await RunAsync(AppEnvironment(), "--probe-max", "8");

        code.ShouldBe(0, output);
        output.ShouldContain($"ok   GitHub: GitHub App {GitHubStub.AppSlug} (id 777) takes Atom's JWT");
        output.ShouldContain($"ok   installation {TestGitHubApp.InstallationId} (github): every permission and event Atom uses");
        output.ShouldContain("ok   LLM main models: serves main-model");
        output.ShouldContain("ok   LLM main tool calling: called add(a: 2, b: 3)");
        output.ShouldContain("ok   LLM main strict json_schema: answers in the schema");
        output.ShouldContain("ok   LLM main streaming: server-sent events");
        output.ShouldContain("ok   test sandbox");
        output.ShouldContain("warn LLM concurrency:");
        output.ShouldContain("recommended ATOM_LLM_CONCURRENCY=2;");
        output.ShouldContain("fix: set ATOM_LLM_CONCURRENCY=2");
        output.ShouldNotContain(WebhookSecret);
        output.ShouldNotContain(ApiKey);
        _llm.Requests.ShouldAllBe(r => r.Authorization == $"Bearer {ApiKey}");
        _llm.UnscriptedRequests.ShouldBe(0);
    }

    [Fact]
    public async Task A_broken_setup_fails_and_names_each_missing_permission_event_and_capability()
    {
        _github.InstallationPermissions.Remove("checks");
        _github.InstallationEvents.Remove("pull_request_review");
        _llm.RejectJsonSchema()
            .ReplyText("<tool_call>{\"name\": \"add\", \"arguments\": {\"a\": 2, \"b\": 3}}</tool_call>")
            .ReplyText("ok");
        _llm.Models.Remove("main-model");

        var (code, output) = await RunAsync(AppEnvironment(), "--probe-max", "0");

        code.ShouldBe(1, output);
        output.ShouldContain($"FAIL installation {TestGitHubApp.InstallationId} (github): permissions missing: checks:write; events not subscribed: pull_request_review");
        output.ShouldContain("FAIL LLM main models: main-model is not among the served models (auditor-model)");
        output.ShouldContain("FAIL LLM main tool calling: the model wrote the tool call as text instead of a tool_calls entry");
        output.ShouldContain("--jinja");
        output.ShouldContain("warn LLM main strict json_schema: refused (400: response_format of type json_schema is not supported by this server)");
        output.ShouldNotContain("LLM concurrency");
        output.ShouldEndWith(" failures" + Environment.NewLine);
    }

    [Fact]
    public async Task Each_mcp_server_is_opened_with_its_token_and_an_unreachable_one_is_a_warning_with_its_fix()
    {
        await using var server = await McpTestServer.StartAsync("mcp-token-0b7d3e");
        var environment = AppEnvironment();
        environment["ATOM_MCP_SERVERS"] = $"docs={server.Url},wiki=http://127.0.0.1:{LoopbackWireMock.FreePort()}/mcp";
        environment["ATOM_MCP_TOKENS"] = "docs=mcp-token-0b7d3e";

        var (_, output) = await RunAsync(environment, "--probe-max", "0");

        output.ShouldContain($"ok   MCP server docs: {server.Url} answers, 2 tool(s): lookup, drop_tables");
        output.ShouldContain("warn MCP server wiki: http://127.0.0.1:");
        output.ShouldContain("fix: check the URL in ATOM_MCP_SERVERS");
        output.ShouldNotContain("mcp-token-0b7d3e");
        server.Authorizations.ShouldContain("Bearer mcp-token-0b7d3e");
    }

    [Fact]
    public async Task No_model_server_says_how_to_start_one()
    {
        var environment = AppEnvironment();
        environment["ATOM_LLM_BASE_URL"] = $"http://127.0.0.1:{LoopbackWireMock.FreePort()}/v1";

        var (code, output) = await RunAsync(environment);

        code.ShouldBe(1);
        output.ShouldContain("FAIL LLM main: http://127.0.0.1:");
        output.ShouldContain("ollama serve");
        output.ShouldContain("llama-server");
        _llm.Requests.ShouldBeEmpty();
    }

    [Fact]
    public async Task An_invalid_configuration_fails_with_its_errors_and_checks_nothing_else()
    {
        var environment = AppEnvironment();
        environment.Remove("ATOM_WEBHOOK_SECRET");

        var (code, output) = await RunAsync(environment);

        code.ShouldBe(1);
        output.ShouldContain("FAIL configuration: ");
        output.ShouldContain("ATOM_WEBHOOK_SECRET");
        output.ShouldNotContain("GitHub");
        _llm.Requests.ShouldBeEmpty();
    }

    [Fact]
    public async Task A_second_auditor_is_checked_like_the_main_endpoint_and_its_advice_names_its_own_setting()
    {
        using var second = new LlmScript();
        second.Models.Clear();
        second.Models.Add("other-family-model");
        _llm.ReplyToolCall("add", new { a = 2, b = 3 }).ReplyJson(new { sum = 5 }).ReplyText("ok");
        second.ReplyToolCall("add", new { a = 2, b = 3 }).ReplyJson(new { sum = 5 }).ReplyText("ok");
        var environment = AppEnvironment();
        environment["ATOM_AUDITOR2_BASE_URL"] = second.BaseUrl.ToString();
        environment["ATOM_AUDITOR2_MODEL"] = "auditor2-model";

        var (code, output) = await RunAsync(environment, "--probe-max", "0");

        code.ShouldBe(1, output);
        output.ShouldContain("ok   LLM main models: serves main-model");
        output.ShouldContain("FAIL LLM second auditor models: auditor2-model is not among the served models (other-family-model)");
        output.ShouldContain("fix: set ATOM_AUDITOR2_MODEL to one of them");
        output.ShouldContain("ok   LLM second auditor tool calling: called add(a: 2, b: 3)");
        output.ShouldContain("ok   LLM second auditor strict json_schema: answers in the schema");
        second.Requests.Where(r => r.Json.TryGetProperty("messages", out _)).ShouldAllBe(r => r.Model == "auditor2-model");
        second.Requests.ShouldAllBe(r => r.Authorization == $"Bearer {ApiKey}");
        output.ShouldNotContain(ApiKey);
        _llm.UnscriptedRequests.ShouldBe(0);
        second.UnscriptedRequests.ShouldBe(0);
    }

    [Theory]
    [InlineData(null, "ok   GitHub: a fine-grained token of atom-bot-user", 0)]
    [InlineData("repo, gist", "warn GitHub: a classic token of atom-bot-user with scopes gist, repo", 0)]
    [InlineData("gist, read:org", "FAIL GitHub: a classic token of atom-bot-user without the repo scope (scopes: gist, read:org)", 1)]
    public async Task A_personal_token_is_checked_by_its_owner_and_scopes(string? scopes, string expected, int expectedCode)
    {
        _github.TokenScopes = scopes;
        _llm.ReplyToolCall("add", new { a = 2, b = 3 }).ReplyJson(new { sum = 5 }).ReplyText("ok");
        var environment = AppEnvironment();
        environment.Remove("ATOM_GITHUB_APP_ID");
        environment.Remove("ATOM_GITHUB_APP_PRIVATE_KEY_PATH");
        environment["ATOM_GITHUB_TOKEN"] = "github_pat_doctor_0123456789";

        var (code, output) = await RunAsync(environment, "--probe-max", "0");

        output.ShouldContain(expected);
        code.ShouldBe(expectedCode, output);
        output.ShouldNotContain("github_pat_doctor_0123456789");
    }

    private Dictionary<string, string?> AppEnvironment()
    {
        var environment = TestGitHubApp.Environment(_dataDir);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(environment["ATOM_GITHUB_APP_PRIVATE_KEY_PATH"]!, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        environment["ATOM_WEBHOOK_SECRET"] = WebhookSecret;
        environment["ATOM_GITHUB_API_URL"] = _github.Url;
        environment["ATOM_LLM_BASE_URL"] = _llm.BaseUrl.ToString();
        environment["ATOM_LLM_MODEL"] = "main-model";
        environment["ATOM_LLM_API_KEY"] = ApiKey;
        environment["ATOM_DATA_DIR"] = Path.Combine(_dataDir, "data");
        environment["ATOM_DASHBOARD_TOKEN"] = "doctor-dashboard-token-0123456789";
        return environment;
    }

    private async Task<(int Code, string Output)> RunAsync(Dictionary<string, string?> environment, params string[] args)
    {
        var configuration = AtomConfiguration.Load(environment, _dataDir, _dataDir);
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await DoctorCommand.RunAsync(args, configuration, output, error, null, Ct);
        error.ToString().ShouldBeEmpty();
        return (code, output.ToString());
    }
}
