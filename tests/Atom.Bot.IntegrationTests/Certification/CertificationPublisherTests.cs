using System.Text.Json.Nodes;
using Atom.Bot.Certification;
using Atom.Bot.IntegrationTests.Support;
using Atom.Bot.Tests.Certification;
using WireMock.Matchers;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace Atom.Bot.IntegrationTests.Certification;

public sealed class CertificationPublisherTests : IAsyncLifetime
{
    // octocat/Hello-World in GitHub's examples; with a personal token the repository only names what a token is for.
    private const long HelloWorldId = 1296269;
    private const string LlmKey = "llm_key+with/special_chars-91";
    private const string SecondSha = "ce587453ced02b1526dfb4cb910479d431683101";

    private readonly GitHubStub _github = new();
    private AtomTestHost _host = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private CertificationPublisher Publisher => _host.Services.GetRequiredService<CertificationPublisher>();

    /// <summary>Publishes and expects a pull request (not GitHub's refusal).</summary>
    private async Task<PublishedPackage> PublishAsync(CertificationPackage package, long? knownPullRequest)
    {
        var outcome = await Publisher.PublishAsync(null, HelloWorldId, package, knownPullRequest, Ct);
        outcome.Refusal.ShouldBeNull();
        return outcome.Package.ShouldNotBeNull();
    }

    public async ValueTask InitializeAsync() =>
        _host = await AtomTestHost.StartAsync(_github, environment: new Dictionary<string, string?> { ["ATOM_LLM_API_KEY"] = LlmKey });

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        _github.Dispose();
    }

    [Fact]
    public async Task First_publish_opens_a_pull_request_with_check_run_label_and_issue_comment()
    {
        var package = SamplePackages.Passing();

        var published = await PublishAsync(package, null);

        var pull = _github.PullRequests.ShouldHaveSingleItem();
        (published with { PullRequestHead = null }).ShouldBe(new PublishedPackage(pull.Number, pull.HtmlUrl, Created: true, PullRequestHead: null));
        (pull.Title, pull.Head, pull.Base, pull.Draft).ShouldBe(("Add a greeting endpoint", package.Branch, "main", false));
        pull.Body.ShouldStartWith("✅");
        pull.Body.ShouldContain("Closes #12");
        PackageBody.Read(pull.Body).ShouldNotBeNull().HeadSha.ShouldBe(SamplePackages.HeadSha);

        var run = _github.CheckRuns().ShouldHaveSingleItem();
        run["name"]!.GetValue<string>().ShouldBe("atom/certification");
        run["head_sha"]!.GetValue<string>().ShouldBe(SamplePackages.HeadSha);
        run["status"]!.GetValue<string>().ShouldBe("completed");
        run["conclusion"]!.GetValue<string>().ShouldBe("success");
        run["details_url"]!.GetValue<string>().ShouldBe(pull.HtmlUrl);
        run["output"]!["summary"]!.GetValue<string>().ShouldContain("Adds GET /greeting");
        _github.Statuses().ShouldBeEmpty();

        _github.Labels(pull.Number).ShouldBe(["atom:certified"]);
        var comment = _github.Comments(12).ShouldHaveSingleItem();
        comment.ShouldContain($"#{pull.Number}");
        comment.ShouldContain(pull.HtmlUrl);
        _github.Comments(pull.Number).ShouldBeEmpty();
    }

    [Fact]
    public async Task Revision_updates_the_same_pull_request_and_says_what_changed_on_it()
    {
        var first = await PublishAsync(SamplePackages.Failing(), null);

        var second = await PublishAsync(SamplePackages.Passing(headSha: SecondSha, rounds: 4), first.PullRequestNumber);

        second.ShouldBe(first with { Created = false });
        var pull = _github.PullRequests.ShouldHaveSingleItem();
        _github.Requests("POST", "/repos/*/*/pulls").Count(r => r.Status == 201).ShouldBe(1);
        _github.Requests("PATCH", $"/repos/*/*/pulls/{pull.Number}").ShouldHaveSingleItem().Status.ShouldBe(200);
        PackageBody.Read(pull.Body).ShouldNotBeNull().HeadSha.ShouldBe(SecondSha);
        pull.Draft.ShouldBeFalse();

        var update = _github.Comments(pull.Number).ShouldHaveSingleItem();
        update.ShouldContain("`ce58745`");
        update.ShouldContain("was `6dcb09b`");
        update.ShouldContain("round 4");
        update.ShouldContain("✅");
        _github.Comments(12).Count.ShouldBe(1);

        _github.Labels(pull.Number).ShouldBe(["atom:certified"]);
        _github.CheckRuns().Select(r => (r["head_sha"]!.GetValue<string>(), r["conclusion"]!.GetValue<string>()))
            .ShouldBe([(SamplePackages.HeadSha, "failure"), (SecondSha, "success")]);
    }

    [Fact]
    public async Task Retried_publication_finds_its_pull_request_and_repeats_nothing()
    {
        var package = SamplePackages.Passing();
        var first = await PublishAsync(package, null);

        var again = await PublishAsync(package, null);

        again.ShouldBe(first with { Created = false });
        _github.PullRequests.Count.ShouldBe(1);
        _github.Requests("PATCH", "/repos/*/*/pulls/*").ShouldBeEmpty();
        _github.Comments(12).Count.ShouldBe(1);
        _github.Comments(first.PullRequestNumber).ShouldBeEmpty();
        _github.Labels(first.PullRequestNumber).ShouldBe(["atom:certified"]);
    }

    [Fact]
    public async Task GitHub_502_once_on_create_still_makes_exactly_one_pull_request()
    {
        _github.FailFirst("POST", "/repos/*/*/pulls", 502);

        var published = await PublishAsync(SamplePackages.Passing(), null);

        var creates = _github.Requests("POST", "/repos/*/*/pulls");
        creates.Select(r => r.Status).ShouldBe([502, 201]);
        _github.PullRequests.ShouldHaveSingleItem().Number.ShouldBe(published.PullRequestNumber);
        published.Created.ShouldBeTrue();
        _github.Comments(12).Count.ShouldBe(1);
    }

    [Fact]
    public async Task Create_whose_answer_was_lost_counts_as_this_publication_creating_it()
    {
        // GitHub makes the pull request but answers 502; the retry handler sends the request again and gets 422.
        _github.Server.Given(Request.Create().UsingPost().WithPath(new RegexMatcher($@"^{GitHubStub.Prefix}/repos/[^/]+/[^/]+/pulls$")))
            .InScenario("lost answer").WillSetStateTo("created").AtPriority(1)
            .RespondWith(Response.Create().WithCallback(request =>
            {
                var sent = JsonNode.Parse(request.Body!)!;
                _github.OpenPullRequest("octocat", "Hello-World", sent["head"]!.GetValue<string>(), sent["body"]!.GetValue<string>());
                return new WireMock.ResponseMessage { StatusCode = 502 };
            }));

        var published = await PublishAsync(SamplePackages.Passing(), null);

        _github.Requests("POST", "/repos/*/*/pulls").Select(r => r.Status).ShouldBe([502, 422]);
        var pull = _github.PullRequests.ShouldHaveSingleItem();
        (published with { PullRequestHead = null }).ShouldBe(new PublishedPackage(pull.Number, pull.HtmlUrl, Created: true, PullRequestHead: null));
        _github.Requests("PATCH", "/repos/*/*/pulls/*").ShouldBeEmpty();
        _github.Comments(12).ShouldHaveSingleItem().ShouldContain($"#{pull.Number}");
        _github.Labels(pull.Number).ShouldBe(["atom:certified"]);
    }

    [Fact]
    public async Task Pull_request_created_meanwhile_is_updated_when_github_refuses_a_second_one()
    {
        var existing = _github.OpenPullRequest("octocat", "Hello-World", SamplePackages.Passing().Branch, body: "an earlier attempt");
        // The first lookup misses it, as if another attempt created it a moment later.
        _github.Server.Given(Request.Create().UsingGet().WithPath(new RegexMatcher($@"^{GitHubStub.Prefix}/repos/[^/]+/[^/]+/pulls$")))
            .InScenario("race").WillSetStateTo("listed").AtPriority(1)
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody("[]"));

        var published = await PublishAsync(SamplePackages.Passing(), null);

        _github.Requests("POST", "/repos/*/*/pulls").ShouldHaveSingleItem().Status.ShouldBe(422);
        (published with { PullRequestHead = null }).ShouldBe(new PublishedPackage(existing.Number, existing.HtmlUrl, Created: false, PullRequestHead: null));
        var pull = _github.PullRequests.ShouldHaveSingleItem();
        PackageBody.Read(pull.Body).ShouldNotBeNull().TaskId.ShouldBe(34);
        _github.Labels(pull.Number).ShouldBe(["atom:certified"]);
    }

    [Fact]
    public async Task Known_pull_request_number_is_used_without_a_search()
    {
        var existing = _github.OpenPullRequest("octocat", "Hello-World", SamplePackages.Passing().Branch);

        var published = await PublishAsync(SamplePackages.Passing(), existing.Number);

        published.PullRequestNumber.ShouldBe(existing.Number);
        _github.Requests("GET", "/repos/*/*/pulls").ShouldBeEmpty();
        _github.Requests("POST", "/repos/*/*/pulls").ShouldBeEmpty();
        PackageBody.Read(_github.PullRequests.ShouldHaveSingleItem().Body).ShouldNotBeNull();
    }

    [Fact]
    public async Task Closed_pull_request_of_an_earlier_task_on_the_same_branch_is_not_reused()
    {
        var old = _github.OpenPullRequest("octocat", "Hello-World", SamplePackages.Passing().Branch);
        _github.ClosePullRequest(old.Number, merged: true);

        var published = await PublishAsync(SamplePackages.Passing(), old.Number);

        published.Created.ShouldBeTrue();
        published.PullRequestNumber.ShouldNotBe(old.Number);
        _github.PullRequests.Count.ShouldBe(2);
    }

    [Fact]
    public async Task A_pull_request_GitHub_refuses_to_open_is_a_refusal_naming_the_field_not_an_exception()
    {
        _github.BranchHead = _ => null; // no branch exists: GitHub answers 422 with {"field": "head", "code": "invalid"}

        var outcome = await Publisher.PublishAsync(null, HelloWorldId, SamplePackages.Passing(), null, Ct);

        outcome.Package.ShouldBeNull();
        outcome.Refusal.ShouldNotBeNull().ShouldContain("GitHub refused to open the pull request");
        outcome.Refusal.ShouldContain("head: invalid");
        _github.PullRequests.ShouldBeEmpty();
        _github.Requests("POST", "/repos/*/*/check-runs").ShouldBeEmpty();
        _host.Logs.Lines.ShouldContain(l => l.Contains("[6112]", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Check_runs_refused_to_a_personal_token_fall_back_to_a_commit_status()
    {
        _github.RefuseCheckRuns();

        var published = await PublishAsync(SamplePackages.Failing(), null);

        _github.Requests("POST", "/repos/*/*/check-runs").ShouldHaveSingleItem().Status.ShouldBe(403);
        var status = _github.Statuses().ShouldHaveSingleItem();
        _github.Requests("POST", $"/repos/octocat/Hello-World/statuses/{SamplePackages.HeadSha}").Count.ShouldBe(1);
        status["context"]!.GetValue<string>().ShouldBe("atom/certification");
        status["state"]!.GetValue<string>().ShouldBe("failure");
        status["target_url"]!.GetValue<string>().ShouldBe(published.Url);
        var description = status["description"]!.GetValue<string>();
        description.ShouldStartWith("Certification did not pass: The auditor asked for a revision");
        description.Length.ShouldBeLessThanOrEqualTo(140);
        _host.Logs.Lines.ShouldContain(l => l.Contains("[6104]", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Failed_package_opens_a_draft_labelled_failed_and_needing_attention()
    {
        var published = await PublishAsync(SamplePackages.Failing(), null);

        var pull = _github.PullRequests.ShouldHaveSingleItem();
        pull.Draft.ShouldBeTrue();
        pull.Body.ShouldStartWith("❌ **This package did not pass.**");
        _github.Labels(pull.Number).ShouldBe(["atom:needs-attention", "atom:failed"], ignoreOrder: true);
        _github.CheckRuns().ShouldHaveSingleItem()["conclusion"]!.GetValue<string>().ShouldBe("failure");
        _github.Comments(12).ShouldHaveSingleItem().ShouldContain("draft");
        published.Created.ShouldBeTrue();
    }

    [Fact]
    public async Task Package_that_fails_after_passing_becomes_a_draft_and_loses_certified()
    {
        var first = await PublishAsync(SamplePackages.Passing(), null);

        await PublishAsync(SamplePackages.Failing(headSha: SecondSha), first.PullRequestNumber);

        var pull = _github.PullRequests.ShouldHaveSingleItem();
        pull.Draft.ShouldBeTrue();
        _github.Labels(pull.Number).ShouldBe(["atom:needs-attention", "atom:failed"], ignoreOrder: true);
        _github.Requests("DELETE", $"/repos/*/*/issues/{pull.Number}/labels/*").ShouldHaveSingleItem().Status.ShouldBe(200);
        _github.Comments(pull.Number).ShouldHaveSingleItem().ShouldContain("❌ it did not pass");
    }

    [Fact]
    public async Task Stale_label_already_removed_by_someone_else_is_not_an_error()
    {
        var existing = _github.OpenPullRequest("octocat", "Hello-World", SamplePackages.Passing().Branch, labels: "atom:needs-attention");
        _github.FailFirst("DELETE", "/repos/*/*/issues/*/labels/*", 404);

        var published = await PublishAsync(SamplePackages.Passing(), existing.Number);

        published.PullRequestNumber.ShouldBe(existing.Number);
        _github.Requests("DELETE", "/repos/*/*/issues/*/labels/*").ShouldHaveSingleItem().Status.ShouldBe(404);
        _github.Labels(existing.Number).ShouldContain("atom:certified");
    }

    [Fact]
    public async Task Repository_without_draft_pull_requests_gets_a_regular_one_for_a_failed_package()
    {
        _github.RefuseDraftPullRequests();

        var published = await PublishAsync(SamplePackages.Failing(), null);

        _github.Requests("POST", "/repos/*/*/pulls").Select(r => r.Status).ShouldBe([422, 201]);
        var pull = _github.PullRequests.ShouldHaveSingleItem();
        pull.Draft.ShouldBeFalse();
        published.Created.ShouldBeTrue();
        _github.Labels(pull.Number).ShouldContain("atom:failed");
    }

    [Fact]
    public async Task Nothing_produced_is_said_on_the_issue()
    {
        await Publisher.CommentFailureAsync(null, HelloWorldId, "octocat/Hello-World", 12, "The diff is empty: the worker changed nothing. cc @alice", Ct);

        var comment = _github.Comments(12).ShouldHaveSingleItem();
        comment.ShouldContain("no pull request");
        comment.ShouldContain("The diff is empty");
        comment.ShouldContain("`/retry`");
        comment.ShouldNotContain("@alice");
        _github.Requests("POST", "/repos/*/*/pulls").ShouldBeEmpty();
    }

    [Fact]
    public async Task No_secret_reaches_any_request_body_or_log()
    {
        string[] secrets = [AtomTestHost.GitHubToken, AtomTestHost.WebhookSecret, LlmKey];
        var leak = string.Join(" and ", secrets);
        var package = SamplePackages.Failing() with
        {
            IssueTitle = $"Title {leak}",
            Summary = $"Used {leak} while working",
            FailureReasons = [$"reason with {leak}"],
            Tests = SamplePackages.Failing().Tests with { OutputTail = $"env: GITHUB_TOKEN={AtomTestHost.GitHubToken}\nKEY={LlmKey}" },
            Auditor = SamplePackages.Failing().Auditor with { Findings = [new PackageFinding("error", $"**{LlmKey}** leaked", "src/a.cs")] },
        };
        _github.RefuseCheckRuns();

        var first = await PublishAsync(package, null);
        await PublishAsync(package with { HeadSha = SecondSha }, first.PullRequestNumber);
        await Publisher.CommentFailureAsync(null, HelloWorldId, "octocat/Hello-World", 12, $"no diff {leak}", Ct);

        var texts = _github.AllRequests().Where(r => !string.IsNullOrEmpty(r.Body)).SelectMany(r => Texts(r.Body!)).ToList();
        texts.Count.ShouldBeGreaterThan(20);
        foreach (var secret in secrets)
        {
            texts.ShouldNotContain(t => t.Contains(secret, StringComparison.Ordinal) || t.Replace("\\", "", StringComparison.Ordinal).Contains(secret, StringComparison.Ordinal));
            _host.Logs.Lines.ShouldNotContain(l => l.Contains(secret, StringComparison.Ordinal));
        }

        _github.PullRequests.ShouldHaveSingleItem().Body.ShouldContain("***");
    }

    /// <summary>A request body as sent and every string in it as GitHub decodes it, including the package's hidden copy.</summary>
    private static IEnumerable<string> Texts(string body)
    {
        yield return body;
        JsonNode? json;
        try
        {
            json = JsonNode.Parse(body);
        }
        catch (System.Text.Json.JsonException)
        {
            yield break;
        }

        foreach (var text in Strings(json))
        {
            yield return text;
            if (PackageBody.Read(text) is { } copy)
            {
                foreach (var inner in Strings(System.Text.Json.JsonSerializer.SerializeToNode(copy)))
                {
                    yield return inner;
                }
            }
        }
    }

    private static IEnumerable<string> Strings(JsonNode? node) => node switch
    {
        JsonObject obj => obj.SelectMany(p => Strings(p.Value)),
        JsonArray array => array.SelectMany(Strings),
        JsonValue value when value.TryGetValue<string>(out var text) => [text],
        _ => [],
    };
}
