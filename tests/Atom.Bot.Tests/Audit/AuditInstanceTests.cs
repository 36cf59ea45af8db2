using System.Text.Json.Nodes;
using Atom.Bot.Audit;

namespace Atom.Bot.Tests.Audit;

/// <summary>
/// Every entry names the instance that wrote it, under the entry's hash (encoding v2); entries written before instances
/// were recorded keep their v1 encoding, so a chain from before still verifies and is extended by v2 entries.
/// </summary>
public sealed class AuditInstanceTests : IAsyncLifetime
{
    private const string PayloadText = """{"issue":12}""";
    private const string Time = "2026-01-02T03:04:05.1234567+00:00";
    private const string KeyId = "01a3b7578d2eb851";

    private AuditTestChain _chain = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _chain = await AuditTestChain.CreateAsync();

    public async ValueTask DisposeAsync() => await _chain.DisposeAsync();

    // The expected digests come from the Python of docs/audit.md ("Encoding"), not from ChainEncoding.
    [Fact]
    public void An_entry_without_an_instance_hashes_as_entries_did_before_v2()
    {
        var digest = ChainEncoding.EntryDigest(2, DateTimeOffset.Parse(Time, System.Globalization.CultureInfo.InvariantCulture), 4, "task.accepted", "alice",
            Hashing.Sha256(PayloadText), ChainEncoding.GenesisHash, KeyId, instance: null);

        Convert.ToHexStringLower(digest).ShouldBe("49eff7183fea62e86130122927fefbe2d5be0942fd34be603c52f57c65b31975");
    }

    [Fact]
    public void An_entry_with_an_instance_hashes_under_the_v2_tag_with_the_instance_last()
    {
        var digest = ChainEncoding.EntryDigest(2, DateTimeOffset.Parse(Time, System.Globalization.CultureInfo.InvariantCulture), 4, "task.accepted", "alice",
            Hashing.Sha256(PayloadText), ChainEncoding.GenesisHash, KeyId, "host-a:42:abcd1234");

        Convert.ToHexStringLower(digest).ShouldBe("f2a97a4e536bffbf9929e047f17053884a3b06df9ec7aaffb78bbc90de9e25d5");
    }

    [Fact]
    public async Task Every_entry_records_the_instance_that_wrote_it_and_verification_counts_them()
    {
        await _chain.RecordAsync(3);
        await _chain.SecondLog().RecordAsync(AuditKinds.Plan, 1, "atom", new { step = 1 }, Ct);
        await _chain.SecondLog().RecordAsync(AuditKinds.Plan, 2, "atom", new { step = 2 }, Ct);
        await _chain.Log.RecordAsync(AuditKinds.Plan, 1, "atom", new { step = 3 }, Ct);

        (await _chain.ScalarAsync<string>("SELECT instance FROM audit_entries WHERE sequence = 5")).ShouldBe(AuditTestChain.SecondInstance);
        var verification = await _chain.VerifyAsync();

        verification.IsValid.ShouldBeTrue(verification.Break?.ToString());
        verification.Instances.ShouldBe([
            new AuditInstance(AuditTestChain.FirstInstance, 5, 1, 7),
            new AuditInstance(AuditTestChain.SecondInstance, 2, 5, 6),
        ]);
    }

    [Fact]
    public async Task A_chain_written_before_instances_were_recorded_still_verifies_and_is_extended()
    {
        await WriteChainFromBeforeInstancesAsync();

        await _chain.Log.RecordAsync(AuditKinds.Plan, 4, "atom", new { step = 1 }, Ct);
        var verification = await _chain.VerifyAsync();

        verification.IsValid.ShouldBeTrue(verification.Break?.ToString());
        verification.Entries.ShouldBe(3);
        verification.Instances.ShouldBe([new AuditInstance(null, 2, 1, 2), new AuditInstance(AuditTestChain.FirstInstance, 1, 3, 3)]);
        verification.Instances[0].Name.ShouldBe("(not recorded)");
    }

    [Fact]
    public async Task A_changed_instance_is_detected_at_that_entry()
    {
        await _chain.RecordAsync(4);

        await _chain.TamperAsync("UPDATE audit_entries SET instance = 'elsewhere:1:aaaa0000' WHERE sequence = 3");

        var broken = (await _chain.VerifyAsync()).Break.ShouldNotBeNull();
        broken.Sequence.ShouldBe(3);
        broken.Reason.ShouldContain("hash mismatch");
    }

    [Fact]
    public async Task An_instance_removed_from_an_entry_is_detected_at_that_entry()
    {
        await _chain.RecordAsync(4);

        await _chain.TamperAsync("UPDATE audit_entries SET instance = NULL WHERE sequence = 4");

        var broken = (await _chain.VerifyAsync()).Break.ShouldNotBeNull();
        broken.Sequence.ShouldBe(4);
        broken.Reason.ShouldContain("hash mismatch");
    }

    [Fact]
    public async Task An_instance_added_to_an_entry_written_without_one_is_detected_at_that_entry()
    {
        await WriteChainFromBeforeInstancesAsync();
        await _chain.Log.RecordAsync(AuditKinds.Plan, 4, "atom", new { step = 1 }, Ct);

        await _chain.TamperAsync($"UPDATE audit_entries SET instance = '{AuditTestChain.FirstInstance}' WHERE sequence = 2");

        var broken = (await _chain.VerifyAsync()).Break.ShouldNotBeNull();
        broken.Sequence.ShouldBe(2);
        broken.Reason.ShouldContain("hash mismatch");
    }

    [Fact]
    public async Task An_export_carries_each_entry_s_instance_and_a_changed_one_is_detected()
    {
        await _chain.RecordAsync(2);
        await _chain.SecondLog().RecordAsync(AuditKinds.Plan, 2, "atom", new { step = 1 }, Ct);
        var lines = (await _chain.ExportAsync(1)).Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();

        var exported = await AuditVerifier.VerifyExportAsync(new StringReader(string.Join('\n', lines)), null, Ct);
        exported.IsValid.ShouldBeTrue(exported.Break?.ToString());
        exported.Instances.Select(i => (i.Id, i.Entries)).ShouldBe([(AuditTestChain.FirstInstance, 3L), (AuditTestChain.SecondInstance, 1L)]);

        var elided = lines.FindIndex(l => l.StartsWith("{\"type\":\"entry\",\"sequence\":4,", StringComparison.Ordinal));
        var entry = JsonNode.Parse(lines[elided])!.AsObject();
        entry["payload"].ShouldBeNull("task 2's entry is elided, its instance is kept");
        entry["instance"]!.GetValue<string>().ShouldBe(AuditTestChain.SecondInstance);
        entry["instance"] = AuditTestChain.FirstInstance;
        lines[elided] = entry.ToJsonString();
        var tampered = await AuditVerifier.VerifyExportAsync(new StringReader(string.Join('\n', lines)), null, Ct);
        tampered.Break.ShouldNotBeNull().Sequence.ShouldBe(4);
    }

    /// <summary>
    /// Entries 1 (the chain's start) and 2 and the signed head, stored as Atom stored them before migration 0011: encoding
    /// v1, no instance, signed with the chain's key file.
    /// </summary>
    private async Task WriteChainFromBeforeInstancesAsync()
    {
        var key = _chain.Keys.EnsureCreated();
        var started = EntryFromBefore(1, ChainEncoding.GenesisHash, null, AuditKinds.ChainStarted, AuditLog.Bot,
            $$"""{"algorithm":"Ed25519","key_id":"{{key.KeyId}}","public_key":"{{key.PublicKeyBase64}}"}""", key);
        var accepted = EntryFromBefore(2, started.Hash, 4, AuditKinds.TaskAccepted, "alice", PayloadText, key);
        await _chain.InsertAsync(started);
        await _chain.InsertAsync(accepted);
        var headSignature = Convert.ToBase64String(key.Sign(ChainEncoding.HeadDigest(2, accepted.Hash, key.KeyId)));
        await _chain.TamperAsync(
            "INSERT INTO audit_head (id, sequence, hash, key_id, signature) VALUES (1, 2, $hash, $key, $signature)",
            ("$hash", accepted.Hash), ("$key", key.KeyId), ("$signature", headSignature));
    }

    private static AuditEntry EntryFromBefore(long sequence, string previousHash, long? taskId, string kind, string actor, string payload, SigningKey key)
    {
        var time = DateTimeOffset.UtcNow;
        var digest = ChainEncoding.EntryDigest(sequence, time, taskId, kind, actor, Hashing.Sha256(payload), previousHash, key.KeyId, instance: null);
        return new AuditEntry(sequence, time, taskId, kind, actor, payload, Hashing.Sha256(payload), previousHash,
            Convert.ToHexStringLower(digest), Convert.ToBase64String(key.Sign(digest)), key.KeyId, Instance: null);
    }
}
