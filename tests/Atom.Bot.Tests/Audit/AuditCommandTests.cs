using System.Text;
using System.Text.Json.Nodes;
using Atom.Bot.Audit;
using NSec.Cryptography;

namespace Atom.Bot.Tests.Audit;

public sealed class AuditCommandTests : IAsyncLifetime
{
    private const string Certified = "6dcb09b5b57875f334f61aebed695e2e4193db5e";
    private const string MergeCommit = "e5bd3914e2e596debea16f433f57875b5b90bcd6";
    private AuditTestChain _chain = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _chain = await AuditTestChain.CreateAsync();

    public async ValueTask DisposeAsync() => await _chain.DisposeAsync();

    private async Task<(int Code, string Output, string Error)> RunAsync(params string[] args)
    {
        await using var output = new StringWriter();
        await using var error = new StringWriter();
        var code = await AuditCommand.RunAsync(args, _chain.Options, output, error, Ct);
        return (code, output.ToString(), error.ToString());
    }

    private string TempFile(string name) => Path.Combine(_chain.DataDir, name);

    /// <summary>Task 4 from intake to merge, with task 9's entries in between.</summary>
    private async Task RecordMergedTaskAsync()
    {
        await _chain.Log.RecordAsync(AuditKinds.TaskAccepted, 4, "alice", new { repository = "octo/repo", issue = 12 }, Ct);
        await _chain.Log.RecordAsync(AuditKinds.TaskAccepted, 9, "bob", new { repository = "octo/other", issue = 1 }, Ct);
        await _chain.Log.RecordAsync(AuditKinds.PackagePosted, 4, "atom", new { pullRequest = 13, head = Certified, passed = true, rounds = 1 }, Ct);
        await _chain.Log.RecordAsync(AuditKinds.ApprovalAccepted, 4, "carol", new { sha = Certified, source = "Review" }, Ct);
        var merge = await _chain.Log.RecordAsync(AuditKinds.Merge, 4, "atom", new { sha = Certified, mergeCommit = MergeCommit, approvedBy = new[] { "carol" } }, Ct);
        await _chain.Receipts.RecordAsync(ReceiptKinds.Merge, 4, merge.Hash,
            new ReceiptFacts { Command = "merge squash", InputSha = Certified, OutputSha = MergeCommit, Duration = TimeSpan.FromMilliseconds(800) }, Ct);
        await _chain.Log.RecordAsync(AuditKinds.TaskCancelled, 9, "bob", new { reason = "label removed" }, Ct);
    }

    [Fact]
    public async Task Verify_reports_an_intact_chain_and_exits_0()
    {
        await RecordMergedTaskAsync();

        var (code, output, _) = await RunAsync("verify");

        code.ShouldBe(0);
        output.ShouldContain("OK:");
        output.ShouldContain("receipts verified");
    }

    [Fact]
    public async Task Verify_names_each_instance_that_wrote_entries_with_its_count_and_range()
    {
        await RecordMergedTaskAsync();
        await _chain.SecondLog().RecordAsync(AuditKinds.Plan, 4, "atom", new { }, Ct);

        var (code, output, _) = await RunAsync("verify");

        code.ShouldBe(0);
        output.ShouldContain("OK:");
        output.ShouldContain($"instance {AuditTestChain.FirstInstance}: 9 entries, #1..#9\n");
        output.ShouldContain($"instance {AuditTestChain.SecondInstance}: 1 entries, #10..#10\n");
    }

    [Fact]
    public async Task Rotate_key_is_recorded_as_written_by_the_command_line_process()
    {
        await RecordMergedTaskAsync();

        (await RunAsync("rotate-key")).Code.ShouldBe(0);

        var rotation = (await _chain.Log.HeadAsync(Ct))!.Sequence;
        (await _chain.ScalarAsync<string>("SELECT instance FROM audit_entries WHERE sequence = $s", ("$s", rotation)))
            .ShouldBe($"{Environment.MachineName}:{Environment.ProcessId}:cli");
        (await RunAsync("verify")).Output.ShouldContain($"instance {Environment.MachineName}:{Environment.ProcessId}:cli: 1 entries, #{rotation}..#{rotation}");
    }

    [Fact]
    public async Task Verify_prints_the_first_broken_entry_and_the_reason_and_exits_1()
    {
        await RecordMergedTaskAsync();
        await _chain.TamperAsync("UPDATE audit_entries SET actor = 'mallory' WHERE sequence = 5");

        var (code, _, error) = await RunAsync("verify");

        code.ShouldBe(1);
        error.ShouldContain("first broken: entry 5: hash mismatch");
    }

    [Fact]
    public async Task Show_prints_the_task_s_entries_and_receipts()
    {
        await RecordMergedTaskAsync();

        var (code, output, _) = await RunAsync("show", "--task", "4");

        code.ShouldBe(0);
        output.ShouldContain("task 4: 5 entries");
        output.ShouldContain("approval.accepted");
        output.ShouldContain($"by carol on {AuditTestChain.FirstInstance}");
        output.ShouldContain("receipt 1: merge");
        output.ShouldNotContain("octo/other");
    }

    [Fact]
    public async Task Export_then_verify_from_export_succeeds_and_a_tampered_export_fails_at_the_entry()
    {
        await RecordMergedTaskAsync();
        var file = TempFile("task-4.jsonl");

        (await RunAsync("export", "--task", "4", "--out", file)).Code.ShouldBe(0);
        var (code, output, _) = await RunAsync("verify", "--from-export", file);
        code.ShouldBe(0);
        output.ShouldContain("1 receipts verified");

        var text = await File.ReadAllTextAsync(file, Ct);
        await File.WriteAllTextAsync(file, text.Replace("\\\"source\\\":\\\"Review\\\"", "\\\"source\\\":\\\"Comment\\\"", StringComparison.Ordinal), Ct);
        var tampered = await RunAsync("verify", "--from-export", file);
        tampered.Code.ShouldBe(1);
        tampered.Error.ShouldContain("entry 5:");
    }

    [Fact]
    public async Task Public_key_prints_the_audit_key_and_the_receipt_signer()
    {
        var (code, output, _) = await RunAsync("public-key");
        var json = await RunAsync("public-key", "--json");

        code.ShouldBe(0);
        var document = JsonNode.Parse(json.Output)!;
        var keyId = document["key_id"]!.GetValue<string>();
        document["algorithm"]!.GetValue<string>().ShouldBe("Ed25519");
        output.ShouldContain($"audit key     {keyId}");
        document["receipt_signer"]!["signer"]!.GetValue<string>().ShouldBe(SoftwareReceiptSigner.Name);
        document["receipt_signer"]!["key_id"]!.GetValue<string>().ShouldBe(_chain.Signer.KeyId);
        output.ShouldContain("receipts are signed in software");
        var verified = await _chain.VerifyAsync(document["public_key"]!.GetValue<string>());
        verified.IsValid.ShouldBeTrue();
    }

    [Fact]
    public async Task Rotate_key_announces_a_new_key_and_the_chain_still_verifies()
    {
        await RecordMergedTaskAsync();

        var (code, output, _) = await RunAsync("rotate-key");
        await _chain.Log.RecordAsync(AuditKinds.Plan, 4, "atom", new { }, Ct);

        code.ShouldBe(0);
        output.ShouldContain("signed with the old key");
        var verify = await RunAsync("verify");
        verify.Code.ShouldBe(0);
        verify.Output.ShouldContain("retired at entry");
    }

    [Fact]
    public async Task Attestation_is_an_in_toto_statement_in_a_dsse_envelope_that_verifies()
    {
        await RecordMergedTaskAsync();
        var file = TempFile("task-4.intoto.json");

        (await RunAsync("attest", "--task", "4", "--out", file)).Code.ShouldBe(0);

        var envelope = JsonNode.Parse(await File.ReadAllTextAsync(file, Ct))!;
        envelope["payloadType"]!.GetValue<string>().ShouldBe("application/vnd.in-toto+json");
        var statement = JsonNode.Parse(Convert.FromBase64String(envelope["payload"]!.GetValue<string>()))!;
        statement["_type"]!.GetValue<string>().ShouldBe("https://in-toto.io/Statement/v1");
        statement["subject"]!.AsArray().Select(s => s!["digest"]!["gitCommit"]!.GetValue<string>()).ShouldBe([Certified, MergeCommit]);
        var predicate = statement["predicate"]!;
        predicate["decision"]!.GetValue<string>().ShouldBe("merged");
        predicate["task"]!["repository"]!.GetValue<string>().ShouldBe("octo/repo");
        predicate["approvals"]!.AsArray().ShouldHaveSingleItem()!["actor"]!.GetValue<string>().ShouldBe("carol");
        predicate["audit"]!["entries"]!.GetValue<int>().ShouldBe(5);
        predicate["entries"]!.AsArray().ShouldAllBe(e => e!["instance"]!.GetValue<string>() == AuditTestChain.FirstInstance);

        // The signature is Ed25519 over DSSE's PAE, checkable with nothing but the published key.
        var signature = envelope["signatures"]!.AsArray().ShouldHaveSingleItem()!;
        var key = (await _chain.Log.KeysAsync(Ct)).First(k => k.Role == AuditKey.AuditRole);
        signature["keyid"]!.GetValue<string>().ShouldBe(key.KeyId);
        var pae = Encoding.UTF8.GetBytes($"DSSEv1 28 application/vnd.in-toto+json {Convert.FromBase64String(envelope["payload"]!.GetValue<string>()).Length} ")
            .Concat(Convert.FromBase64String(envelope["payload"]!.GetValue<string>())).ToArray();
        SignatureAlgorithm.Ed25519.Verify(
            PublicKey.Import(SignatureAlgorithm.Ed25519, Convert.FromBase64String(key.PublicKey), KeyBlobFormat.RawPublicKey),
            pae,
            Convert.FromBase64String(signature["sig"]!.GetValue<string>())).ShouldBeTrue();

        (await RunAsync("verify", "--dsse", file)).Code.ShouldBe(0);
        (await RunAsync("verify", "--dsse", file, "--public-key", key.PublicKey)).Code.ShouldBe(0);
    }

    [Fact]
    public async Task A_tampered_attestation_or_one_checked_against_another_key_does_not_verify()
    {
        await RecordMergedTaskAsync();
        var file = TempFile("task-4.intoto.json");
        await RunAsync("attest", "--task", "4", "--out", file);
        using var other = Key.Create(SignatureAlgorithm.Ed25519, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport });

        var wrongKey = await RunAsync("verify", "--dsse", file, "--public-key", Convert.ToBase64String(other.PublicKey.Export(KeyBlobFormat.RawPublicKey)));

        wrongKey.Code.ShouldBe(1);
        var envelope = JsonNode.Parse(await File.ReadAllTextAsync(file, Ct))!;
        var statement = Encoding.UTF8.GetString(Convert.FromBase64String(envelope["payload"]!.GetValue<string>()));
        envelope["payload"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(statement.Replace("\"merged\"", "\"rejected\"", StringComparison.Ordinal)));
        await File.WriteAllTextAsync(file, envelope.ToJsonString(), Ct);
        var tampered = await RunAsync("verify", "--dsse", file);
        tampered.Code.ShouldBe(1);
        tampered.Error.ShouldContain("no signature verifies");
    }

    [Fact]
    public void Pae_matches_the_dsse_specification_example()
    {
        Encoding.UTF8.GetString(ChainEncoding.Pae("http://example.com/HelloWorld", "hello world"u8))
            .ShouldBe("DSSEv1 29 http://example.com/HelloWorld 11 hello world");
    }

    [Fact]
    public async Task Usage_errors_exit_2_and_a_missing_task_exits_1()
    {
        await _chain.Log.StartAsync(Ct);

        (await RunAsync()).Code.ShouldBe(2);
        (await RunAsync("show")).Code.ShouldBe(2);
        (await RunAsync("export", "--task")).Code.ShouldBe(2);
        (await RunAsync("frobnicate")).Code.ShouldBe(2);
        var missing = await RunAsync("show", "--task", "42");
        missing.Code.ShouldBe(1);
        missing.Error.ShouldContain("task 42 has no audit entries");
    }
}
