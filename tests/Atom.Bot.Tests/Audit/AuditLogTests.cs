using Atom.Bot.Audit;
using Atom.Bot.Configuration;
using Microsoft.Data.Sqlite;
using NSec.Cryptography;

namespace Atom.Bot.Tests.Audit;

public sealed class AuditLogTests : IAsyncLifetime
{
    private AuditTestChain _chain = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _chain = await AuditTestChain.CreateAsync();

    public async ValueTask DisposeAsync() => await _chain.DisposeAsync();

    [Fact]
    public async Task Recorded_entries_form_one_signed_chain_that_verifies()
    {
        var entries = await _chain.RecordAsync(5);

        entries.Select(e => e.Sequence).ShouldBe([2, 3, 4, 5, 6]);
        entries.Zip(entries.Skip(1)).ShouldAllBe(pair => pair.Second.PreviousHash == pair.First.Hash);
        var head = await _chain.Log.HeadAsync(Ct);
        head!.Sequence.ShouldBe(6);
        head.Hash.ShouldBe(entries[^1].Hash);
        var result = await _chain.VerifyAsync();
        result.Break.ShouldBeNull();
        result.Entries.ShouldBe(6);
    }

    [Fact]
    public async Task The_first_entry_announces_the_key_that_signs_the_chain()
    {
        var head = await _chain.Log.StartAsync(Ct);

        var keys = await _chain.Log.KeysAsync(Ct);
        var key = keys.ShouldHaveSingleItem();
        key.KeyId.ShouldBe(head.KeyId);
        key.AnnouncedAt.ShouldBe(1);
        Signatures.KeyId(Convert.FromBase64String(key.PublicKey)).ShouldBe(key.KeyId);
    }

    [Fact]
    public async Task Payload_is_stored_as_canonical_json()
    {
        var entry = await _chain.Log.RecordAsync(AuditKinds.Plan, 7, "atom", new { zeta = 1, alpha = new { d = true, c = (string?)null }, list = new[] { 3, 1 } }, Ct);

        entry.Payload.ShouldBe("""{"alpha":{"c":null,"d":true},"list":[3,1],"zeta":1}""");
        entry.PayloadSha256.ShouldBe(Hashing.Sha256(entry.Payload!));
    }

    [Fact]
    public async Task Reserved_kinds_cannot_be_recorded_by_callers()
    {
        await Should.ThrowAsync<ArgumentException>(() => _chain.Log.RecordAsync(AuditKinds.KeyRotated, null, "mallory", new { }, Ct));
        await Should.ThrowAsync<ArgumentException>(() => _chain.Log.RecordAsync(AuditKinds.ReceiptRecorded, null, "mallory", new { }, Ct));
    }

    [Fact]
    public async Task No_secret_reaches_any_entry()
    {
        foreach (var secret in AuditTestChain.TestSecrets)
        {
            await _chain.Log.RecordAsync(AuditKinds.Evaluation, 1, $"user-{secret}", new
            {
                message = $"tests failed: remote https://x-access-token:{secret}@github.com/o/r.git",
                nested = new { list = new[] { secret, "ok" } },
                long_text = new string('x', 2000) + secret,
            }, Ct);
        }

        var dispatch = await _chain.Log.RecordAsync(AuditKinds.Dispatch, 1, "atom", new { }, Ct);
        await _chain.Receipts.RecordAsync(ReceiptKinds.Commit, 1, dispatch.Hash,
            new ReceiptFacts { Command = $"git push https://x-access-token:{AuditTestChain.GitHubToken}@github.com/o/r.git", Duration = TimeSpan.FromSeconds(1) }, Ct);

        var stored = await _chain.AllStoredTextAsync() + await _chain.ExportAsync(1);
        stored.ShouldContain("tests failed: remote");
        foreach (var secret in AuditTestChain.TestSecrets)
        {
            stored.ShouldNotContain(secret);
        }

        (await _chain.VerifyAsync()).IsValid.ShouldBeTrue();
    }

    [Fact]
    public async Task The_database_refuses_to_update_or_delete_entries_and_to_move_the_head_back()
    {
        await _chain.RecordAsync(3);

        var update = await Should.ThrowAsync<SqliteException>(() => _chain.ScalarAsync<long>("UPDATE audit_entries SET actor = 'mallory' WHERE sequence = 2; SELECT 1"));
        update.Message.ShouldContain("append-only");
        var delete = await Should.ThrowAsync<SqliteException>(() => _chain.ScalarAsync<long>("DELETE FROM audit_entries WHERE sequence = 4; SELECT 1"));
        delete.Message.ShouldContain("append-only");
        await Should.ThrowAsync<SqliteException>(() => _chain.ScalarAsync<long>("UPDATE audit_head SET sequence = 2; SELECT 1"));
        await Should.ThrowAsync<SqliteException>(() => _chain.ScalarAsync<long>("DELETE FROM audit_head; SELECT 1"));
        (await _chain.VerifyAsync()).IsValid.ShouldBeTrue();
    }

    [Fact]
    public async Task Eight_concurrent_writers_of_200_entries_make_one_chain_without_gaps()
    {
        // Two AuditLog instances on one file stand for two processes: only the database orders them.
        var logs = new[] { _chain.Log, _chain.SecondLog() };
        await _chain.Log.StartAsync(Ct);

        await Task.WhenAll(Enumerable.Range(0, 8).Select(writer => Task.Run(async () =>
        {
            for (var i = 0; i < 200; i++)
            {
                await logs[writer % 2].RecordAsync(AuditKinds.Dispatch, writer, $"writer-{writer}", new { i }, Ct);
            }
        }, Ct)));

        (await _chain.ScalarAsync<long>("SELECT COUNT(*) FROM audit_entries")).ShouldBe(1601);
        (await _chain.ScalarAsync<long>("SELECT MAX(sequence) FROM audit_entries")).ShouldBe(1601);
        var result = await _chain.VerifyAsync();
        result.Break.ShouldBeNull();
        result.Entries.ShouldBe(1601);
    }

    [Fact]
    public async Task One_byte_changed_in_a_payload_is_detected_at_that_entry()
    {
        await _chain.RecordAsync(8);

        await _chain.TamperAsync("UPDATE audit_entries SET payload = replace(payload, 'step 3', 'step 4') WHERE sequence = 5");

        var broken = (await _chain.VerifyAsync()).Break.ShouldNotBeNull();
        broken.Sequence.ShouldBe(5);
        broken.Reason.ShouldContain("hash mismatch");
    }

    [Fact]
    public async Task One_byte_changed_in_a_signature_is_detected_at_that_entry()
    {
        var entries = await _chain.RecordAsync(8);
        var signature = Convert.FromBase64String(entries[3].Signature);
        signature[10] ^= 0x01;

        await _chain.TamperAsync("UPDATE audit_entries SET signature = $s WHERE sequence = $n", ("$s", Convert.ToBase64String(signature)), ("$n", entries[3].Sequence));

        var broken = (await _chain.VerifyAsync()).Break.ShouldNotBeNull();
        broken.Sequence.ShouldBe(entries[3].Sequence);
        broken.Reason.ShouldContain("signature does not verify");
    }

    [Fact]
    public async Task One_byte_changed_in_a_hash_is_detected_at_that_entry()
    {
        var entries = await _chain.RecordAsync(8);
        var hash = entries[2].Hash;
        var altered = (hash[0] == 'a' ? 'b' : 'a') + hash[1..];

        await _chain.TamperAsync("UPDATE audit_entries SET hash = $h WHERE sequence = $n", ("$h", altered), ("$n", entries[2].Sequence));

        var broken = (await _chain.VerifyAsync()).Break.ShouldNotBeNull();
        broken.Sequence.ShouldBe(entries[2].Sequence);
        broken.Reason.ShouldContain("hash mismatch");
    }

    [Fact]
    public async Task A_deleted_entry_is_detected_where_it_is_missing()
    {
        await _chain.RecordAsync(8);

        await _chain.TamperAsync("DELETE FROM audit_entries WHERE sequence = 6");

        var broken = (await _chain.VerifyAsync()).Break.ShouldNotBeNull();
        broken.Sequence.ShouldBe(6);
        broken.Reason.ShouldContain("entry 6 is missing");
    }

    [Fact]
    public async Task Two_swapped_entries_are_detected_at_the_first_of_them()
    {
        await _chain.RecordAsync(8);

        await _chain.TamperAsync("""
            UPDATE audit_entries SET sequence = -1 WHERE sequence = 4;
            UPDATE audit_entries SET sequence = 4 WHERE sequence = 5;
            UPDATE audit_entries SET sequence = 5 WHERE sequence = -1;
            """);

        var broken = (await _chain.VerifyAsync()).Break.ShouldNotBeNull();
        broken.Sequence.ShouldBe(4);
        broken.Reason.ShouldContain("hash mismatch");
    }

    [Fact]
    public async Task An_entry_appended_with_another_key_is_detected_even_with_a_head_signed_by_that_key()
    {
        await _chain.RecordAsync(4);
        var head = (await _chain.Log.HeadAsync(Ct))!;
        using var mallory = Key.Create(SignatureAlgorithm.Ed25519);
        var forged = AuditTestChain.ForgedEntry(head, mallory);

        await _chain.InsertAsync(forged);
        var headDigest = ChainEncoding.HeadDigest(forged.Sequence, forged.Hash, forged.KeyId);
        await _chain.TamperAsync("UPDATE audit_head SET sequence = $s, hash = $h, key_id = $k, signature = $sig",
            ("$s", forged.Sequence), ("$h", forged.Hash), ("$k", forged.KeyId), ("$sig", Convert.ToBase64String(SignatureAlgorithm.Ed25519.Sign(mallory, headDigest))));

        var broken = (await _chain.VerifyAsync()).Break.ShouldNotBeNull();
        broken.Sequence.ShouldBe(forged.Sequence);
        broken.Reason.ShouldContain("never announced");
    }

    [Fact]
    public async Task An_entry_claiming_the_chain_key_but_signed_with_another_is_detected()
    {
        await _chain.RecordAsync(4);
        var head = (await _chain.Log.HeadAsync(Ct))!;
        using var mallory = Key.Create(SignatureAlgorithm.Ed25519);
        var forged = AuditTestChain.ForgedEntry(head, mallory, claimedKeyId: head.KeyId);

        await _chain.InsertAsync(forged);

        var broken = (await _chain.VerifyAsync()).Break.ShouldNotBeNull();
        broken.Sequence.ShouldBe(forged.Sequence);
        broken.Reason.ShouldContain("signature does not verify");
    }

    [Fact]
    public async Task Truncation_is_detected_at_the_first_missing_entry()
    {
        await _chain.RecordAsync(9);

        await _chain.TamperAsync("DELETE FROM audit_entries WHERE sequence > 7");

        var broken = (await _chain.VerifyAsync()).Break.ShouldNotBeNull();
        broken.Sequence.ShouldBe(8);
        broken.Reason.ShouldContain("truncated");
    }

    [Fact]
    public async Task A_pinned_first_key_is_enforced()
    {
        await _chain.RecordAsync(2);
        var key = (await _chain.Log.KeysAsync(Ct)).Single(k => k.Role == AuditKey.AuditRole);
        using var other = Key.Create(SignatureAlgorithm.Ed25519, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport });

        (await _chain.VerifyAsync(key.PublicKey)).IsValid.ShouldBeTrue();
        var broken = (await _chain.VerifyAsync(Convert.ToBase64String(other.PublicKey.Export(KeyBlobFormat.RawPublicKey)))).Break.ShouldNotBeNull();
        broken.Sequence.ShouldBe(1);
        broken.Reason.ShouldContain("not the expected key");
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Key_files_are_readable_by_their_owner_only()
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Skip("Unix file modes");
        }

        await _chain.Log.StartAsync(Ct);

        File.GetUnixFileMode(_chain.Keys.CurrentPath).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.GetUnixFileMode(_chain.Signer.KeyPath).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.GetUnixFileMode(_chain.Keys.KeyDirectory).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    [Fact]
    public async Task After_a_rotation_later_entries_are_signed_by_the_announced_key_and_the_chain_verifies()
    {
        await _chain.RecordAsync(2);
        var oldKey = (await _chain.Log.HeadAsync(Ct))!.KeyId;

        var rotation = await _chain.Log.RotateKeyAsync("admin", Ct);
        var after = await _chain.Log.RecordAsync(AuditKinds.Plan, 1, "atom", new { }, Ct);

        rotation.KeyId.ShouldBe(oldKey);
        after.KeyId.ShouldNotBe(oldKey);
        File.Exists(Path.Combine(_chain.Keys.KeyDirectory, "audit.next.key")).ShouldBeFalse();
        var result = await _chain.VerifyAsync();
        result.Break.ShouldBeNull();
        result.Keys.Where(k => k.Role == AuditKey.AuditRole).Select(k => (k.KeyId, k.RetiredAt)).ShouldBe([(oldKey, rotation.Sequence), (after.KeyId, (long?)null)]);
    }

    [Fact]
    public async Task A_process_holding_the_old_key_signs_with_the_new_one_after_another_process_rotated()
    {
        await _chain.RecordAsync(1);
        var other = _chain.SecondLog();

        var rotation = await other.RotateKeyAsync("admin", Ct);
        var next = await _chain.Log.RecordAsync(AuditKinds.Plan, 1, "atom", new { }, Ct);

        next.KeyId.ShouldNotBe(rotation.KeyId);
        (await _chain.VerifyAsync()).IsValid.ShouldBeTrue();
    }

    [Fact]
    public async Task An_entry_signed_with_a_retired_key_is_detected()
    {
        await _chain.RecordAsync(2);
        var retiredBytes = await File.ReadAllBytesAsync(_chain.Keys.CurrentPath, Ct);
        using var retired = Key.Import(SignatureAlgorithm.Ed25519, retiredBytes, KeyBlobFormat.RawPrivateKey);
        var rotation = await _chain.Log.RotateKeyAsync("admin", Ct);
        await _chain.Log.RecordAsync(AuditKinds.Plan, 1, "atom", new { }, Ct);

        var forged = AuditTestChain.ForgedEntry((await _chain.Log.HeadAsync(Ct))!, retired);
        await _chain.InsertAsync(forged);

        var broken = (await _chain.VerifyAsync()).Break.ShouldNotBeNull();
        broken.Sequence.ShouldBe(forged.Sequence);
        broken.Reason.ShouldContain($"retired at entry {rotation.Sequence}");
    }

    [Fact]
    public async Task A_chain_whose_key_file_is_gone_or_replaced_refuses_to_start()
    {
        await _chain.RecordAsync(1);
        var keyFile = _chain.Keys.CurrentPath;
        File.Move(keyFile, keyFile + ".away");

        var missing = await Should.ThrowAsync<InvalidOperationException>(() => _chain.SecondLog().StartAsync(Ct));
        missing.Message.ShouldContain("does not exist");

        using (var other = Key.Create(SignatureAlgorithm.Ed25519, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport }))
        {
            await File.WriteAllBytesAsync(keyFile, other.Export(KeyBlobFormat.RawPrivateKey), Ct);
        }

        var foreign = await Should.ThrowAsync<InvalidOperationException>(() => _chain.SecondLog().StartAsync(Ct));
        foreign.Message.ShouldContain("holds key");
        (await _chain.VerifyAsync()).IsValid.ShouldBeTrue();
    }

    [Fact]
    public async Task An_instance_with_its_own_keys_directory_refuses_to_join_a_shared_chain_and_says_which_key_and_what_to_mount()
    {
        await _chain.RecordAsync(1);
        var chainKey = (await _chain.Log.HeadAsync(Ct))!.KeyId;
        var elsewhere = Directory.CreateTempSubdirectory("atom-other-keys-").FullName;
        try
        {
            using var otherKeys = new AuditKeys(new AuditOptions { KeyDirectory = elsewhere });
            using var other = new AuditLog(_chain.Database, otherKeys, Redactor.For(_chain.Options), TimeProvider.System, "other-host:9:cafe0000");

            var missing = await Should.ThrowAsync<InvalidOperationException>(() => other.StartAsync(Ct));
            missing.Message.ShouldContain($"signed by key {chainKey}, but {Path.Combine(elsewhere, "audit.key")} does not exist");
            missing.Message.ShouldContain("each must mount the same keys directory as the others, not a copy");

            var ownKey = otherKeys.EnsureCreated().KeyId;
            var foreign = await Should.ThrowAsync<InvalidOperationException>(() => other.StartAsync(Ct));
            foreign.Message.ShouldContain($"signed by key {chainKey}, but {Path.Combine(elsewhere, "audit.key")} holds key {ownKey}");
            foreign.Message.ShouldContain("each must mount the same keys directory as the others, not a copy");
            (await _chain.VerifyAsync()).Entries.ShouldBe(2, "the refused instance wrote nothing");
        }
        finally
        {
            Directory.Delete(elsewhere, recursive: true);
        }
    }

    [Fact]
    public async Task Reference_for_a_task_gives_its_entry_range_the_head_and_the_commands()
    {
        await _chain.RecordAsync(6);

        var reference = (await _chain.Log.ReferenceForTaskAsync(2, Ct)).ShouldNotBeNull();

        (reference.FirstSequence, reference.LastSequence, reference.EntryCount).ShouldBe((3L, 7L, 3));
        var head = (await _chain.Log.HeadAsync(Ct))!;
        (reference.HeadSequence, reference.HeadHash, reference.KeyId).ShouldBe((head.Sequence, head.Hash, head.KeyId));
        reference.ExportCommand.ShouldBe("atom audit export --task 2 --out audit-task-2.jsonl");
        reference.VerifyCommand.ShouldBe("atom audit verify --from-export audit-task-2.jsonl");
        (await _chain.Log.ReferenceForTaskAsync(99, Ct)).ShouldBeNull();
    }
}
