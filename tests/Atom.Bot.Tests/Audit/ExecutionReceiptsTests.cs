using System.Security.Cryptography;
using System.Text.Json;
using Atom.Bot.Audit;
using Atom.Bot.Configuration;
using NSec.Cryptography;

namespace Atom.Bot.Tests.Audit;

public sealed class ExecutionReceiptsTests : IAsyncLifetime
{
    private AuditTestChain _chain = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _chain = await AuditTestChain.CreateAsync();

    public async ValueTask DisposeAsync() => await _chain.DisposeAsync();

    private static ReceiptFacts TestRun(int exitCode = 1) => new()
    {
        Command = "dotnet test",
        InputSha = "6dcb09b5b57875f334f61aebed695e2e4193db5e",
        ExitCode = exitCode,
        Duration = TimeSpan.FromSeconds(12.5),
        OutputSha256 = Hashing.Sha256("Failed: 1, Passed: 41"),
    };

    [Fact]
    public async Task A_receipt_is_signed_by_the_receipt_signer_linked_to_its_order_and_recorded_in_the_chain()
    {
        var dispatch = await _chain.Log.RecordAsync(AuditKinds.Evaluation, 3, "atom", new { revision = 0 }, Ct);

        var receipt = await _chain.Receipts.RecordAsync(ReceiptKinds.TestRun, 3, dispatch.Hash, TestRun(), Ct);

        receipt.Id.ShouldBe(1);
        receipt.OrderedBy.ShouldBe(dispatch.Hash);
        receipt.KeyId.ShouldBe(_chain.Signer.KeyId);
        receipt.KeyId.ShouldNotBe(dispatch.KeyId);
        receipt.Facts.ShouldBe("""{"command":"dotnet test","duration_ms":12500,"exit_code":1,"input_sha":"6dcb09b5b57875f334f61aebed695e2e4193db5e","output_sha":null,"output_sha256":"""
            + $"\"{Hashing.Sha256("Failed: 1, Passed: 41")}\"}}");
        var entries = await _chain.Log.EntriesForTaskAsync(3, Ct);
        entries.Select(e => e.Kind).ShouldBe([AuditKinds.Evaluation, AuditKinds.ReceiptRecorded]);
        entries[1].Payload!.ShouldContain(receipt.Hash);
        (await _chain.Log.KeysAsync(Ct)).ShouldContain(k => k.Role == AuditKey.ReceiptRole && k.KeyId == _chain.Signer.KeyId);
        (await _chain.Receipts.ForTaskAsync(3, Ct)).ShouldBe([receipt]);
        var result = await _chain.VerifyAsync();
        result.Break.ShouldBeNull();
        result.Receipts.ShouldBe(1);
    }

    [Fact]
    public async Task A_receipt_ordered_by_no_entry_is_refused_and_leaves_nothing_behind()
    {
        await _chain.Log.StartAsync(Ct);

        await Should.ThrowAsync<InvalidOperationException>(() => _chain.Receipts.RecordAsync(ReceiptKinds.Merge, 1, new string('f', 64), TestRun(), Ct));

        (await _chain.ScalarAsync<long>("SELECT COUNT(*) FROM execution_receipts")).ShouldBe(0);
        (await _chain.ScalarAsync<long>("SELECT COUNT(*) FROM audit_entries WHERE kind = 'receipt.recorded'")).ShouldBe(0);
        (await _chain.VerifyAsync()).IsValid.ShouldBeTrue();
    }

    [Fact]
    public async Task An_altered_receipt_is_detected()
    {
        var order = await _chain.Log.RecordAsync(AuditKinds.Evaluation, 3, "atom", new { }, Ct);
        var receipt = await _chain.Receipts.RecordAsync(ReceiptKinds.TestRun, 3, order.Hash, TestRun(exitCode: 1), Ct);

        await _chain.TamperAsync("UPDATE execution_receipts SET facts = replace(facts, '\"exit_code\":1', '\"exit_code\":0')");

        var broken = (await _chain.VerifyAsync()).Break.ShouldNotBeNull();
        broken.Where.ShouldBe($"receipt {receipt.Id}");
        broken.Reason.ShouldContain("hash mismatch");
    }

    [Fact]
    public async Task A_deleted_receipt_is_detected_at_the_entry_that_recorded_it()
    {
        var order = await _chain.Log.RecordAsync(AuditKinds.Evaluation, 3, "atom", new { }, Ct);
        await _chain.Receipts.RecordAsync(ReceiptKinds.TestRun, 3, order.Hash, TestRun(), Ct);
        var recordedAt = await _chain.ScalarAsync<long>("SELECT sequence FROM audit_entries WHERE kind = 'receipt.recorded'");

        await _chain.TamperAsync("DELETE FROM execution_receipts");

        var broken = (await _chain.VerifyAsync()).Break.ShouldNotBeNull();
        broken.Sequence.ShouldBe(recordedAt);
        broken.Reason.ShouldContain("which is missing");
    }

    [Fact]
    public async Task A_receipt_slipped_in_with_another_key_is_detected()
    {
        var order = await _chain.Log.RecordAsync(AuditKinds.Evaluation, 3, "atom", new { }, Ct);
        await _chain.Receipts.RecordAsync(ReceiptKinds.TestRun, 3, order.Hash, TestRun(), Ct);
        using var mallory = Key.Create(SignatureAlgorithm.Ed25519);
        var keyId = Signatures.KeyId(mallory.PublicKey.Export(KeyBlobFormat.RawPublicKey));
        var facts = """{"command":"dotnet test","exit_code":0}""";
        var time = DateTimeOffset.UtcNow;
        var digest = ChainEncoding.ReceiptDigest(time, ReceiptKinds.TestRun, 3, Hashing.Sha256(facts), order.Hash, keyId, Signatures.Ed25519);

        await _chain.TamperAsync("""
            INSERT INTO execution_receipts (recorded_at, kind, task_id, facts, ordered_by, hash, signature, key_id, algorithm, signer)
            VALUES ($t, 'test_run', 3, $f, $o, $h, $s, $k, 'Ed25519', 'software-ed25519')
            """, ("$t", ChainEncoding.Time(time)), ("$f", facts), ("$o", order.Hash), ("$h", Convert.ToHexStringLower(digest)),
            ("$s", Convert.ToBase64String(SignatureAlgorithm.Ed25519.Sign(mallory, digest))), ("$k", keyId));

        var broken = (await _chain.VerifyAsync()).Break.ShouldNotBeNull();
        broken.Where.ShouldBe("receipt 2");
        broken.Reason.ShouldContain("never announced");
    }

    [Fact]
    public async Task A_hardware_style_P256_signer_plugs_in_through_the_interface()
    {
        using var hardware = new P256Signer();
        var receipts = new ExecutionReceipts(_chain.Database, _chain.Log, hardware, Redactor.For(_chain.Options), TimeProvider.System);
        var order = await _chain.Log.RecordAsync(AuditKinds.ApprovalAccepted, 5, "alice", new { sha = "abc" }, Ct);

        var receipt = await receipts.RecordAsync(ReceiptKinds.Merge, 5, order.Hash, TestRun(0) with { Command = "merge squash", OutputSha = "def" }, Ct);

        (receipt.Signer, receipt.Algorithm).ShouldBe(("test-p256", "ECDSA-P256-SHA256"));
        var result = await _chain.VerifyAsync();
        result.Break.ShouldBeNull();
        result.Receipts.ShouldBe(1);
    }

    [Fact]
    public void A_TPM_device_node_is_detected_and_reported()
    {
        var device = Path.Combine(_chain.DataDir, "tpmrm0");
        File.WriteAllText(device, "");

        TrustedHardware.FindTpm([Path.Combine(_chain.DataDir, "absent"), device]).ShouldBe(device);
        TrustedHardware.FindTpm([Path.Combine(_chain.DataDir, "absent")]).ShouldBeNull();
        TrustedHardware.Describe(_chain.Signer, device).ShouldBe($"TPM 2.0 device {device} present; receipts are signed in software (software-ed25519)");
        TrustedHardware.Describe(_chain.Signer, null).ShouldStartWith("no TPM 2.0 device found");
    }

    /// <summary>Stands in for a TPM or Secure Enclave key: P-256, which is what such hardware offers.</summary>
    private sealed class P256Signer : IReceiptSigner, IDisposable
    {
        private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        public P256Signer()
        {
            PublicKey = _key.ExportSubjectPublicKeyInfo();
            KeyId = Signatures.KeyId(PublicKey.Span);
        }

        public string Signer => "test-p256";

        public string Algorithm => "ECDSA-P256-SHA256";

        public string KeyId { get; }

        public ReadOnlyMemory<byte> PublicKey { get; }

        public ValueTask<byte[]> SignAsync(ReadOnlyMemory<byte> digest, CancellationToken cancellationToken) => ValueTask.FromResult(_key.SignHash(digest.Span));

        public void Dispose() => _key.Dispose();
    }
}
