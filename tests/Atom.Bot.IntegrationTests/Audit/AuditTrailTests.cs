using System.Net;
using System.Text.Json.Nodes;
using Atom.Bot.Audit;
using Atom.Bot.IntegrationTests.Support;

namespace Atom.Bot.IntegrationTests.Audit;

public sealed class AuditTrailTests : IAsyncLifetime
{
    private readonly GitHubStub _github = new();
    private AtomTestHost _host = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _host = await AtomTestHost.StartAsync(_github);

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        _github.Dispose();
    }

    private AuditLog Log => _host.Services.GetRequiredService<AuditLog>();

    [Fact]
    public async Task A_labelled_issue_a_refused_label_and_an_unlabel_are_signed_entries_of_a_chain_that_verifies()
    {
        _github.Permission("reader", "read");

        await _host.SendAsync("issues", Payloads.Labeled(issue: 1));
        await Eventually.TrueAsync(() => _github.Comments(1).Count == 1, "the acknowledgement");
        await _host.SendAsync("issues", Payloads.Labeled(sender: "reader", issue: 2));
        await Eventually.TrueAsync(() => _github.Comments(2).Count == 1, "the refusal");
        await _host.SendAsync("issues", Payloads.Unlabeled(label: "atom", issue: 1));
        await Eventually.TrueAsync(() => _github.Comments(1).Count == 2, "the cancellation");

        var task = (await _host.Tasks.ListRecentAsync(1, Ct)).Single();
        var entries = await AllEntriesAsync();
        entries.Select(e => e.Kind).ShouldBe(
            [AuditKinds.ChainStarted, AuditKinds.ReceiptSignerAnnounced, AuditKinds.TaskAccepted, AuditKinds.TaskRefused, AuditKinds.TaskCancelled]);
        var accepted = entries[2];
        (accepted.TaskId, accepted.Actor).ShouldBe((task.Id, Payloads.Labeller));
        var acceptedPayload = JsonNode.Parse(accepted.Payload!)!;
        acceptedPayload["repository"]!.GetValue<string>().ShouldBe(Payloads.Repository);
        acceptedPayload["issue"]!.GetValue<int>().ShouldBe(1);
        acceptedPayload["trigger_label"]!.GetValue<string>().ShouldBe("atom");
        var refused = entries[3];
        (refused.TaskId, refused.Actor).ShouldBe(((long?)null, "reader"));
        JsonNode.Parse(refused.Payload!)!["issue"]!.GetValue<int>().ShouldBe(2);
        var cancelled = entries[4];
        (cancelled.TaskId, cancelled.Actor).ShouldBe((task.Id, Payloads.Labeller));
        JsonNode.Parse(cancelled.Payload!)!["reason"]!.GetValue<string>().ShouldContain("label was removed");

        await using var output = new StringWriter();
        await using var error = new StringWriter();
        (await AuditCommand.RunAsync(["verify"], _host.Options, output, error, Ct)).ShouldBe(0, error.ToString());
        output.ToString().ShouldContain("5 entries");
        var reference = (await Log.ReferenceForTaskAsync(task.Id, Ct)).ShouldNotBeNull();
        (reference.FirstSequence, reference.LastSequence, reference.EntryCount).ShouldBe((3L, 5L, 2));
    }

    [Fact]
    public async Task Atom_audit_verify_and_show_name_the_service_instance_that_wrote_the_entries()
    {
        await _host.SendAsync("issues", Payloads.Labeled(issue: 1));
        await Eventually.TrueAsync(() => _github.Comments(1).Count == 1, "the acknowledgement");
        var instance = _host.Services.GetRequiredService<Atom.Bot.Storage.InstanceRegistry>().Id;
        var task = (await _host.Tasks.ListRecentAsync(1, Ct)).Single();
        var entries = await AllEntriesAsync();
        entries.ShouldAllBe(e => e.Instance == instance);

        await using var output = new StringWriter();
        await using var error = new StringWriter();
        (await AuditCommand.RunAsync(["verify"], _host.Options, output, error, Ct)).ShouldBe(0, error.ToString());
        output.ToString().ShouldContain($"instance {instance}: {entries.Count} entries, #1..#{entries.Count}\n");

        await using var shown = new StringWriter();
        (await AuditCommand.RunAsync(["show", "--task", task.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)], _host.Options, shown, error, Ct)).ShouldBe(0, error.ToString());
        shown.ToString().ShouldContain($"{AuditKinds.TaskAccepted,-24} by {Payloads.Labeller} on {instance}\n");
    }

    [Fact]
    public async Task No_secret_appears_in_any_entry()
    {
        await _host.SendAsync("issues", Payloads.Labeled(body: $"please use {AtomTestHost.GitHubToken} and {AtomTestHost.WebhookSecret}",
            title: $"token {AtomTestHost.GitHubToken}"));
        await Eventually.TrueAsync(() => _github.Comments(1).Count == 1, "the acknowledgement");

        var stored = string.Join('\n', (await AllEntriesAsync()).Select(e => $"{e.Actor} {e.Payload}"));
        stored.ShouldContain("token ***");
        stored.ShouldNotContain(AtomTestHost.GitHubToken);
        stored.ShouldNotContain(AtomTestHost.WebhookSecret);
    }

    [Fact]
    public async Task The_public_key_endpoint_serves_the_key_that_starts_the_chain_and_the_key_file_is_0600()
    {
        using var response = await _host.Client.GetAsync(new Uri("/audit/public-key", UriKind.Relative), Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var document = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!;
        document["algorithm"]!.GetValue<string>().ShouldBe("Ed25519");
        document["key_id"]!.GetValue<string>().ShouldBe((await Log.HeadAsync(Ct))!.KeyId);
        document["receipt_signer"]!["signer"]!.GetValue<string>().ShouldBe(SoftwareReceiptSigner.Name);
        document["receipt_signer"]!["hardware"]!.GetValue<string>().ShouldNotBeNullOrEmpty();
        var pinned = await AuditVerifier.VerifyDatabaseAsync(_host.Database, document["public_key"]!.GetValue<string>(), Ct);
        pinned.IsValid.ShouldBeTrue();
        if (!OperatingSystem.IsWindows())
        {
            File.GetUnixFileMode(Path.Combine(_host.DataDir, "keys", "audit.key")).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
            File.GetUnixFileMode(Path.Combine(_host.DataDir, "keys", "receipt.key")).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        _host.Logs.Lines.ShouldContain(l => l.Contains(document["key_id"]!.GetValue<string>(), StringComparison.Ordinal));
        var privateKey = Convert.ToBase64String(await File.ReadAllBytesAsync(Path.Combine(_host.DataDir, "keys", "audit.key"), Ct));
        _host.Logs.Lines.ShouldNotContain(l => l.Contains(privateKey, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_restart_keeps_the_key_and_extends_the_same_chain()
    {
        var dataDir = Directory.CreateTempSubdirectory("atom-audit-restart-").FullName;
        try
        {
            string keyId;
            await using (var first = await AtomTestHost.StartAsync(_github, dataDir))
            {
                keyId = (await first.Services.GetRequiredService<AuditLog>().HeadAsync(Ct))!.KeyId;
                await first.StopAsync();
            }

            await using var second = await AtomTestHost.StartAsync(_github, dataDir);
            await second.SendAsync("issues", Payloads.Labeled());
            await Eventually.TrueAsync(() => _github.Comments(1).Count == 1, "the acknowledgement");

            var result = await AuditVerifier.VerifyDatabaseAsync(second.Database, null, Ct);
            result.Break.ShouldBeNull();
            result.Keys.Where(k => k.Role == AuditKey.AuditRole).ShouldHaveSingleItem().KeyId.ShouldBe(keyId);
            (await second.Services.GetRequiredService<AuditLog>().KeysAsync(Ct)).Count(k => k.Role == AuditKey.ReceiptRole).ShouldBe(1);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dataDir, recursive: true);
        }
    }

    private async Task<List<AuditEntry>> AllEntriesAsync()
    {
        await using var connection = await _host.Database.OpenAsync(Ct);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {AuditLog.EntryColumns} FROM audit_entries ORDER BY sequence";
        return await AuditLog.ReadEntriesAsync(command, Ct).ToListAsync(Ct);
    }
}
