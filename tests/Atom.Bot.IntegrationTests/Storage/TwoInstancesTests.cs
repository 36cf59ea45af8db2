using System.Net;
using Atom.Bot.Audit;
using Atom.Bot.IntegrationTests.Support;

namespace Atom.Bot.IntegrationTests.Storage;

/// <summary>
/// Two service instances over one PostgreSQL database, as behind one webhook URL: what reaches both is done once.
/// (Each instance keeps its own in-memory jobs here; sharing jobs and taking over a dead instance's work come next.)
/// </summary>
public sealed class TwoInstancesTests(PostgresFixture postgres) : IAsyncDisposable
{
    private readonly string _firstDir = Directory.CreateTempSubdirectory("atom-one-").FullName;
    private readonly string _secondDir = Directory.CreateTempSubdirectory("atom-two-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask DisposeAsync()
    {
        Directory.Delete(_firstDir, recursive: true);
        Directory.Delete(_secondDir, recursive: true);
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task One_delivery_sent_to_both_instances_and_a_second_labelling_make_one_task_and_one_comment()
    {
        var database = await (await postgres.ClusterAsync()).CreateDatabaseAsync();
        using var github = new GitHubStub();
        var environment = new Dictionary<string, string?> { ["ATOM_DATABASE"] = database, ["ATOM_JOB_STORAGE"] = "memory" };
        await using var first = await AtomTestHost.StartAsync(github, _firstDir, environment);
        ShareAuditKey(_firstDir, _secondDir);
        await using var second = await AtomTestHost.StartAsync(github, _secondDir, environment);

        var deliveryId = Guid.NewGuid().ToString();
        var sent = await Task.WhenAll(
            first.SendAsync("issues", Payloads.Labeled(), deliveryId),
            second.SendAsync("issues", Payloads.Labeled(), deliveryId));
        sent.ShouldAllBe(r => r.StatusCode == HttpStatusCode.OK);
        (await second.SendAsync("issues", Payloads.Labeled())).StatusCode.ShouldBe(HttpStatusCode.OK);

        await Eventually.TrueAsync(() => github.Comments(1).Count >= 1, "the acknowledgement");
        await Eventually.QuietPeriodAsync();
        github.Comments(1).Count.ShouldBe(1, "one acknowledgement for one task");
        (await first.Tasks.ListRecentAsync(10, Ct)).ShouldHaveSingleItem();
        (await second.Tasks.ListRecentAsync(10, Ct)).ShouldHaveSingleItem();

        var verification = await AuditVerifier.VerifyDatabaseAsync(first.Database, null, Ct);
        verification.IsValid.ShouldBeTrue(verification.Break?.ToString());

        // Each lists both, itself marked; an instance that stops leaves the list.
        await Eventually.TrueAsync(async () => Instances(await first.Client.GetStringAsync("/status", Ct)).Count == 2, "both instances on /status");
        var seenBySecond = Instances(await second.Client.GetStringAsync("/status", Ct));
        seenBySecond.Count.ShouldBe(2);
        seenBySecond.Count(i => i.GetProperty("self").GetBoolean()).ShouldBe(1);
        await second.StopAsync();
        Instances(await first.Client.GetStringAsync("/status", Ct)).ShouldHaveSingleItem().GetProperty("self").GetBoolean().ShouldBeTrue();
    }

    private static List<System.Text.Json.JsonElement> Instances(string status) =>
        [.. System.Text.Json.JsonDocument.Parse(status).RootElement.GetProperty("instances").EnumerateArray()];

    /// <summary>Instances share the audit signing key by mounting the same key file (docs/operations.md).</summary>
    private static void ShareAuditKey(string from, string to)
    {
        var keys = Directory.CreateDirectory(Path.Combine(to, "keys"));
        foreach (var file in Directory.GetFiles(Path.Combine(from, "keys")))
        {
            File.Copy(file, Path.Combine(keys.FullName, Path.GetFileName(file)));
        }
    }
}
