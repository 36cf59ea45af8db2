using System.Text.Json;
using System.Text.Json.Nodes;
using Atom.Bot.Audit;
using NSec.Cryptography;

namespace Atom.Bot.Tests.Audit;

public sealed class AuditExportTests : IAsyncLifetime
{
    private AuditTestChain _chain = null!;
    private List<string> _lines = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Task 1 and task 2 interleaved (entries 2..11), a receipt for task 1, then the export of task 1.</summary>
    public async ValueTask InitializeAsync()
    {
        _chain = await AuditTestChain.CreateAsync();
        var entries = await _chain.RecordAsync(10);
        await _chain.Log.RecordAsync(AuditKinds.Plan, 2, "atom", new { secret_plan = "only task 2 may know this" }, Ct);
        await _chain.Receipts.RecordAsync(ReceiptKinds.Commit, 1, entries[0].Hash,
            new ReceiptFacts { Command = "git commit", InputSha = "aaa", OutputSha = "bbb", Duration = TimeSpan.FromMilliseconds(40) }, Ct);
        _lines = (await _chain.ExportAsync(1)).Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
    }

    public async ValueTask DisposeAsync() => await _chain.DisposeAsync();

    private Task<AuditVerification> VerifyAsync() => AuditVerifier.VerifyExportAsync(new StringReader(string.Join('\n', _lines)), null, Ct);

    private int LineOf(long sequence) => _lines.FindIndex(l => l.Contains("\"type\":\"entry\"", StringComparison.Ordinal) && Json(l)["sequence"]!.GetValue<long>() == sequence);

    private static JsonObject Json(string line) => JsonNode.Parse(line)!.AsObject();

    private void Edit(long sequence, Action<JsonObject> change)
    {
        var index = LineOf(sequence);
        var entry = Json(_lines[index]);
        change(entry);
        _lines[index] = entry.ToJsonString();
    }

    [Fact]
    public async Task Export_verifies_with_no_database_and_carries_only_the_task_s_payloads()
    {
        var headSequence = (await _chain.Log.HeadAsync(Ct))!.Sequence;
        await _chain.DisposeAsync();
        _chain = await AuditTestChain.CreateAsync(); // the original data directory is gone

        var result = await VerifyAsync();

        result.Break.ShouldBeNull();
        result.Entries.ShouldBe(headSequence);
        result.Receipts.ShouldBe(1);
        var entries = _lines.Select(Json).Where(l => l["type"]!.GetValue<string>() == "entry").ToList();
        entries.Where(e => e["task_id"]?.GetValue<long>() == 2).ShouldAllBe(e => e["payload"] == null && e["payload_sha256"] != null);
        entries.Where(e => e["task_id"]?.GetValue<long>() == 1).ShouldAllBe(e => e["payload"] != null);
        string.Join('\n', _lines).ShouldNotContain("only task 2 may know this");
        _lines.Select(Json).Count(l => l["type"]!.GetValue<string>() == "key").ShouldBe(2);
    }

    [Fact]
    public async Task One_byte_changed_in_an_exported_payload_is_detected_at_that_entry()
    {
        Edit(4, e => e["payload"] = e["payload"]!.GetValue<string>().Replace("step 2", "step 9", StringComparison.Ordinal));

        var broken = (await VerifyAsync()).Break.ShouldNotBeNull();
        broken.Sequence.ShouldBe(4);
        broken.Reason.ShouldContain("payload does not match");
    }

    [Fact]
    public async Task One_byte_changed_in_an_exported_signature_is_detected_at_that_entry()
    {
        Edit(6, e =>
        {
            var signature = Convert.FromBase64String(e["signature"]!.GetValue<string>());
            signature[0] ^= 0x80;
            e["signature"] = Convert.ToBase64String(signature);
        });

        var broken = (await VerifyAsync()).Break.ShouldNotBeNull();
        broken.Sequence.ShouldBe(6);
        broken.Reason.ShouldContain("signature does not verify");
    }

    [Fact]
    public async Task One_byte_changed_in_an_exported_hash_is_detected_at_that_entry()
    {
        Edit(3, e =>
        {
            var hash = e["hash"]!.GetValue<string>();
            e["hash"] = hash[..^1] + (hash[^1] == '0' ? '1' : '0');
        });

        var broken = (await VerifyAsync()).Break.ShouldNotBeNull();
        broken.Sequence.ShouldBe(3);
        broken.Reason.ShouldContain("hash mismatch");
    }

    [Fact]
    public async Task An_entry_deleted_from_the_export_is_detected_where_it_is_missing()
    {
        _lines.RemoveAt(LineOf(7));

        var broken = (await VerifyAsync()).Break.ShouldNotBeNull();
        broken.Sequence.ShouldBe(7);
        broken.Reason.ShouldContain("entry 7 is missing");
    }

    [Fact]
    public async Task Two_swapped_lines_of_the_export_are_detected_at_the_first_of_them()
    {
        var (a, b) = (LineOf(5), LineOf(6));
        (_lines[a], _lines[b]) = (_lines[b], _lines[a]);

        var broken = (await VerifyAsync()).Break.ShouldNotBeNull();
        broken.Sequence.ShouldBe(5);
    }

    [Fact]
    public async Task An_entry_appended_to_the_export_with_another_key_is_detected()
    {
        var head = (await _chain.Log.HeadAsync(Ct))!;
        using var mallory = Key.Create(SignatureAlgorithm.Ed25519);
        var forged = AuditTestChain.ForgedEntry(head, mallory);
        var line = Json(_lines[LineOf(head.Sequence)]);
        foreach (var (name, value) in new (string, JsonNode?)[]
        {
            ("sequence", forged.Sequence), ("time", ChainEncoding.Time(forged.Time)), ("task_id", forged.TaskId), ("kind", forged.Kind), ("actor", forged.Actor),
            ("payload", forged.Payload), ("payload_sha256", forged.PayloadSha256), ("previous_hash", forged.PreviousHash), ("hash", forged.Hash),
            ("signature", forged.Signature), ("key_id", forged.KeyId),
        })
        {
            line[name] = value;
        }

        _lines.Insert(LineOf(head.Sequence) + 1, line.ToJsonString());

        var broken = (await VerifyAsync()).Break.ShouldNotBeNull();
        broken.Sequence.ShouldBe(forged.Sequence);
        broken.Reason.ShouldContain("never announced");
    }

    [Fact]
    public async Task A_truncated_export_is_detected_at_the_first_missing_entry()
    {
        var head = (await _chain.Log.HeadAsync(Ct))!;
        for (var sequence = head.Sequence; sequence > head.Sequence - 3; sequence--)
        {
            _lines.RemoveAt(LineOf(sequence));
        }

        var broken = (await VerifyAsync()).Break.ShouldNotBeNull();
        broken.Sequence.ShouldBe(head.Sequence - 2);
        broken.Reason.ShouldContain("truncated");
    }

    [Fact]
    public async Task An_export_without_its_signed_head_does_not_verify()
    {
        _lines.RemoveAll(l => l.Contains("\"type\":\"head\"", StringComparison.Ordinal));

        (await VerifyAsync()).Break.ShouldNotBeNull().Where.ShouldBe("signed head");
    }

    [Fact]
    public async Task A_garbled_line_is_reported_with_its_line_number()
    {
        var index = LineOf(5);
        _lines[index] = _lines[index][..20];

        var broken = (await VerifyAsync()).Break.ShouldNotBeNull();
        broken.Where.ShouldBe($"export line {index + 1}");
    }

    [Fact]
    public async Task A_deleted_receipt_line_is_detected_at_the_entry_that_recorded_it()
    {
        var recordedAt = _lines.Select(Json).Single(l => l["kind"]?.GetValue<string>() == AuditKinds.ReceiptRecorded)["sequence"]!.GetValue<long>();
        _lines.RemoveAll(l => l.Contains("\"type\":\"receipt\"", StringComparison.Ordinal));

        var broken = (await VerifyAsync()).Break.ShouldNotBeNull();
        broken.Sequence.ShouldBe(recordedAt);
    }

    [Fact]
    public async Task A_listed_key_the_chain_never_announced_is_refused()
    {
        using var mallory = Key.Create(SignatureAlgorithm.Ed25519);
        var publicKey = mallory.PublicKey.Export(KeyBlobFormat.RawPublicKey);
        _lines.Insert(1, JsonSerializer.Serialize(new { type = "key", role = "audit", key_id = Signatures.KeyId(publicKey), algorithm = "Ed25519", public_key = Convert.ToBase64String(publicKey), announced_at = 1 }));

        var broken = (await VerifyAsync()).Break.ShouldNotBeNull();
        broken.Reason.ShouldContain("does not announce");
    }
}
