using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Atom.Bot.IntegrationTests.Support;
using Atom.Bot.Trial;

namespace Atom.Bot.IntegrationTests.Trial;

/// <summary>The local platform of <c>atom try</c> refuses what GitHub refuses, and reads rules only from the default branch.</summary>
public sealed class LocalPlatformTests : IAsyncLifetime
{
    private const string Token = "local-token-8d21";
    private readonly string _repo = Directory.CreateTempSubdirectory("atom-local-").FullName;
    private LocalPlatform _platform = null!;
    private HttpClient _http = null!;

    public async ValueTask InitializeAsync()
    {
        Git("init", "--quiet", "--initial-branch", "main");
        Directory.CreateDirectory(Path.Combine(_repo, ".github"));
        File.WriteAllText(Path.Combine(_repo, ".github", "atom.yml"), "trigger_label: atom\n");
        Git("add", "--all");
        TestRepository.GitWith(_repo, null, new Dictionary<string, string>
        {
            ["GIT_AUTHOR_NAME"] = "a", ["GIT_AUTHOR_EMAIL"] = "a@example.com", ["GIT_COMMITTER_NAME"] = "a", ["GIT_COMMITTER_EMAIL"] = "a@example.com",
        }, "commit", "--quiet", "-m", "Initial commit");
        var (repository, _) = await LocalRepository.OpenAsync(_repo, null, CancellationToken.None);
        _platform = await LocalPlatform.StartAsync(repository!, Path.Combine(_repo, ".git", "platform.json"), Token, "alice", CancellationToken.None);
        _http = new HttpClient { BaseAddress = _platform.Url };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("token", Token);
    }

    [Fact]
    public async Task A_request_without_Atoms_token_is_refused_as_GitHub_refuses_it()
    {
        using var anonymous = new HttpClient { BaseAddress = _platform.Url };
        using var wrong = new HttpRequestMessage(HttpMethod.Get, "api/v3/user") { Headers = { Authorization = new AuthenticationHeaderValue("token", "guess") } };

        (await anonymous.GetAsync(new Uri("api/v3/user", UriKind.Relative))).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await anonymous.SendAsync(wrong)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await _http.GetAsync(new Uri("api/v3/user", UriKind.Relative))).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Rules_are_read_from_the_default_branch_never_from_the_working_tree()
    {
        // An uncommitted change to the rules is not what the default branch says.
        File.WriteAllText(Path.Combine(_repo, ".github", "atom.yml"), "trigger_label: anything-goes\n");

        var answer = await Json(await _http.GetAsync(new Uri("api/v3/repos/local/x/contents/.github/atom.yml", UriKind.Relative)));

        Encoding.UTF8.GetString(Convert.FromBase64String(answer["content"]!.GetValue<string>())).ShouldBe("trigger_label: atom\n");
        (await _http.GetAsync(new Uri("api/v3/repos/local/x/contents/CODEOWNERS", UriKind.Relative))).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_pull_request_needs_a_head_and_a_base_that_exist_and_only_one_per_head()
    {
        var missing = await _http.PostAsync(new Uri("api/v3/repos/local/x/pulls", UriKind.Relative), Body(new { title = "T", head = "atom/nope", @base = "main", body = "" }));
        missing.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await Json(missing))["errors"]![0]!["field"]!.GetValue<string>().ShouldBe("head");

        Git("branch", "atom/yes");
        var opened = await _http.PostAsync(new Uri("api/v3/repos/local/x/pulls", UriKind.Relative), Body(new { title = "T", head = "atom/yes", @base = "main", body = "" }));
        opened.StatusCode.ShouldBe(HttpStatusCode.Created);
        var again = await _http.PostAsync(new Uri("api/v3/repos/local/x/pulls", UriKind.Relative), Body(new { title = "T", head = "atom/yes", @base = "main", body = "" }));
        again.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await Json(again))["errors"]![0]!["message"]!.GetValue<string>().ShouldContain("already exists");
    }

    [Fact]
    public async Task A_merge_of_a_sha_that_is_not_the_head_is_refused_and_moves_nothing()
    {
        Git("branch", "atom/yes");
        var main = Git("rev-parse", "main").Trim();
        var number = (await Json(await _http.PostAsync(new Uri("api/v3/repos/local/x/pulls", UriKind.Relative), Body(new { title = "T", head = "atom/yes", @base = "main", body = "" }))))["number"]!.GetValue<int>();

        var merge = await _http.PutAsync(new Uri($"api/v3/repos/local/x/pulls/{number}/merge", UriKind.Relative), Body(new { sha = new string('a', 40), merge_method = "squash" }));

        merge.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        Git("rev-parse", "main").Trim().ShouldBe(main);
        _platform.Find(number)!.State.ShouldBe("open");
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _platform.DisposeAsync();
        Directory.Delete(_repo, recursive: true);
    }

    private static StringContent Body(object value) => new(System.Text.Json.JsonSerializer.Serialize(value), Encoding.UTF8, "application/json");

    private static async Task<JsonNode> Json(HttpResponseMessage response) => JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

    private string Git(params string[] arguments) => TestRepository.GitWith(_repo, null, null, arguments);
}
