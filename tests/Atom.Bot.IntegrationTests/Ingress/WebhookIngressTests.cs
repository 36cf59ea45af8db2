using System.Net;
using Atom.Bot.IntegrationTests.Support;
using Atom.Bot.Tasks;

namespace Atom.Bot.IntegrationTests.Ingress;

public sealed class WebhookIngressTests : IAsyncLifetime
{
    private readonly GitHubStub _github = new();
    private AtomTestHost _host = null!;

    public async ValueTask InitializeAsync() => _host = await AtomTestHost.StartAsync(_github);

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        _github.Dispose();
    }

    [Fact]
    public async Task Labelled_issue_becomes_a_task_with_a_reaction_and_one_comment()
    {
        var response = await _host.SendAsync("issues", Payloads.Labeled());

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        await Eventually.TrueAsync(() => _github.Comments(1).Count == 1, "the acknowledgement comment");
        var task = (await _host.Tasks.ListUnfinishedAsync(CancellationToken.None)).ShouldHaveSingleItem();
        task.State.ShouldBeOneOf(TaskState.Accepted, TaskState.Planning);
        task.Repository.ShouldBe(Payloads.Repository);
        task.RequestedBy.ShouldBe(Payloads.Labeller);
        _github.Requests("POST", "/repos/Codertocat/Hello-World/issues/1/reactions").ShouldHaveSingleItem().Body!.ShouldContain("eyes");
        _github.Comments(1)[0].ShouldContain("/status");
        await Eventually.TrueAsync(async () => (await _host.Tasks.GetAsync(task.Id, CancellationToken.None))!.AcknowledgedAt is not null, "acknowledged");
    }

    [Fact]
    public async Task Same_delivery_twice_gives_one_task_and_one_comment()
    {
        var deliveryId = Guid.NewGuid().ToString();

        (await _host.SendAsync("issues", Payloads.Labeled(), deliveryId)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await _host.SendAsync("issues", Payloads.Labeled(), deliveryId)).StatusCode.ShouldBe(HttpStatusCode.OK);

        await Eventually.TrueAsync(() => _github.Comments(1).Count == 1, "the acknowledgement comment");
        await Eventually.QuietPeriodAsync();
        _github.Comments(1).Count.ShouldBe(1);
        (await _host.Tasks.ListRecentAsync(10, CancellationToken.None)).Count.ShouldBe(1);
    }

    [Fact]
    public async Task Second_delivery_for_the_same_issue_keeps_one_task()
    {
        await _host.SendAsync("issues", Payloads.Labeled());
        await Eventually.TrueAsync(() => _github.Comments(1).Count == 1, "the acknowledgement comment");

        await _host.SendAsync("issues", Payloads.Labeled());
        await Eventually.TrueAsync(async () => (await ProcessedDeliveries()) == 2, "both deliveries processed");

        (await _host.Tasks.ListRecentAsync(10, CancellationToken.None)).Count.ShouldBe(1);
        _github.Comments(1).Count.ShouldBe(1);
    }

    [Theory]
    [InlineData("wrong-secret")]
    [InlineData("")]
    public async Task Bad_or_missing_signature_is_refused_with_400_and_leaves_no_trace(string secret)
    {
        var response = await _host.SendAsync("issues", Payloads.Labeled(), secret: secret);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        await Eventually.QuietPeriodAsync();
        _github.AllRequests().ShouldBeEmpty();
        (await CountDeliveries()).ShouldBe(0);
        (await _host.Tasks.ListRecentAsync(10, CancellationToken.None)).ShouldBeEmpty();
    }

    [Theory]
    [InlineData("{not json")]
    [InlineData("[1,2,3]")]
    [InlineData("""{"action":"labeled","issue":"not an object"}""")]
    [InlineData("""{"action":"labeled","issue":{"number":"one"}}""")]
    public async Task Signed_but_malformed_payload_gets_a_4xx_not_a_500(string body)
    {
        var response = await _host.SendRawAsync("issues", body);

        ((int)response.StatusCode).ShouldBeInRange(400, 499);
        (await CountDeliveries()).ShouldBe(0);
        _host.Logs.Lines.ShouldContain(l => l.Contains("rejected", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Ping_is_answered_200()
    {
        var response = await _host.SendAsync("ping", Fixtures.Webhook("ping", "payload.json"));

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        await Eventually.TrueAsync(async () => (await ProcessedDeliveries()) == 1, "ping processed");
        _github.AllRequests().ShouldBeEmpty();
    }

    [Fact]
    public async Task Health_and_readiness_answer()
    {
        (await _host.Client.GetAsync("/healthz")).StatusCode.ShouldBe(HttpStatusCode.OK);
        await Eventually.TrueAsync(async () => (await _host.Client.GetAsync("/readyz")).StatusCode == HttpStatusCode.OK, "ready");
        var status = System.Text.Json.JsonDocument.Parse(await _host.Client.GetStringAsync("/status")).RootElement;
        status.GetProperty("tasks").GetProperty("accepted").GetInt32().ShouldBe(0);
        var llm = status.GetProperty("llm");
        llm.GetProperty("concurrency").GetInt32().ShouldBe(_host.Options.LlmConcurrency);
        llm.TryGetProperty("inFlight", out _).ShouldBeTrue(llm.ToString());
    }

    [Fact]
    public async Task Installation_event_is_recorded()
    {
        await _host.SendAsync("installation", Fixtures.Webhook("installation", "created"));

        await Eventually.TrueAsync(async () => (await ProcessedDeliveries()) == 1, "installation processed");
        await using var connection = await _host.Database.OpenAsync(CancellationToken.None);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT last_action FROM installations";
        (await command.ExecuteScalarAsync()).ShouldBe("created");
    }

    private async Task<long> CountDeliveries() => await Scalar("SELECT COUNT(*) FROM deliveries");

    private async Task<long> ProcessedDeliveries() => await Scalar("SELECT COUNT(*) FROM deliveries WHERE processed_at IS NOT NULL");

    private async Task<long> Scalar(string sql)
    {
        await using var connection = await _host.Database.OpenAsync(CancellationToken.None);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
