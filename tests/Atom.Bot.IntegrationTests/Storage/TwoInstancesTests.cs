using System.Net;
using Atom.Bot.Audit;
using Atom.Bot.Configuration;
using Atom.Bot.Storage;
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
        MountKeysOf(_firstDir, _secondDir);
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

    [Fact]
    public async Task Two_instances_sharing_one_keys_directory_extend_one_audit_chain_and_verify_names_both()
    {
        var database = await (await postgres.ClusterAsync()).CreateDatabaseAsync();
        using var github = new GitHubStub();
        var environment = new Dictionary<string, string?> { ["ATOM_DATABASE"] = database, ["ATOM_JOB_STORAGE"] = "memory" };
        await using var first = await AtomTestHost.StartAsync(github, _firstDir, environment);
        MountKeysOf(_firstDir, _secondDir);
        await using var second = await AtomTestHost.StartAsync(github, _secondDir, environment);
        var firstId = first.Services.GetRequiredService<InstanceRegistry>().Id;
        var secondId = second.Services.GetRequiredService<InstanceRegistry>().Id;
        var firstLog = first.Services.GetRequiredService<AuditLog>();
        var secondLog = second.Services.GetRequiredService<AuditLog>();

        await Task.WhenAll(Enumerable.Range(0, 10).Select(i => (i % 2 == 0 ? firstLog : secondLog).RecordAsync(AuditKinds.Plan, null, "atom", new { i }, Ct)));
        var (rotated, _, rotateError) = await RunAuditAsync(first.Options, "rotate-key");
        rotated.ShouldBe(0, rotateError);
        await firstLog.RecordAsync(AuditKinds.Plan, null, "atom", new { after = "rotation" }, Ct);
        await secondLog.RecordAsync(AuditKinds.Plan, null, "atom", new { after = "rotation" }, Ct);

        var (code, output, error) = await RunAuditAsync(second.Options, "verify");
        code.ShouldBe(0, error);
        output.ShouldContain("retired at entry");
        var lines = output.Split('\n');
        var cli = $"{Environment.MachineName}:{Environment.ProcessId}:cli";
        lines.ShouldContain(l => l.StartsWith($"instance {firstId}: ", StringComparison.Ordinal), output);
        lines.ShouldContain(l => l.StartsWith($"instance {secondId}: ", StringComparison.Ordinal), output);
        lines.ShouldContain(l => l.StartsWith($"instance {cli}: 1 entries", StringComparison.Ordinal), output);
        var verification = await AuditVerifier.VerifyDatabaseAsync(first.Database, null, Ct);
        verification.Instances.Select(i => i.Id).ShouldBe([firstId, secondId, cli], ignoreOrder: true);
        verification.Instances.Single(i => i.Id == secondId).Entries.ShouldBeGreaterThanOrEqualTo(6, "five before the rotation, one after it with the new key");
        verification.Instances.Sum(i => i.Entries).ShouldBe(verification.Entries);
    }

    private static async Task<(int Code, string Output, string Error)> RunAuditAsync(AtomOptions options, params string[] args)
    {
        await using var output = new StringWriter();
        await using var error = new StringWriter();
        var code = await AuditCommand.RunAsync(args, options, output, error, Ct);
        return (code, output.ToString(), error.ToString());
    }

    /// <summary>The second instance's keys directory is the first's, as when both mount one volume (docs/operations.md).</summary>
    private static void MountKeysOf(string from, string to) =>
        Directory.CreateSymbolicLink(Path.Combine(to, "keys"), Path.Combine(from, "keys"));

    private static List<System.Text.Json.JsonElement> Instances(string status) =>
        [.. System.Text.Json.JsonDocument.Parse(status).RootElement.GetProperty("instances").EnumerateArray()];
}
