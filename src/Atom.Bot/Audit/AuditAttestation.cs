using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Atom.Bot.Audit;

/// <summary>
/// <c>atom audit attest --task N</c>: the task's package decision as an in-toto Statement (v1) in a DSSE envelope,
/// signed with the audit key over DSSE's pre-authentication encoding, so that supply-chain tooling can check who
/// approved which commit. Format in docs/audit.md.
/// </summary>
public static class AuditAttestation
{
    public const string PayloadType = "application/vnd.in-toto+json";
    public const string StatementType = "https://in-toto.io/Statement/v1";
    public const string PredicateType = "https://atom.bot/attestation/package-decision/v1";

    private static readonly JsonSerializerOptions Json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The signed envelope (JSON), or null when the task has no entries.</summary>
    public static async Task<string?> CreateAsync(AuditLog log, AuditKeys keys, long taskId, TimeProvider clock, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(clock);
        var reference = await log.ReferenceForTaskAsync(taskId, cancellationToken);
        if (reference is null)
        {
            return null;
        }

        var entries = (await log.EntriesForTaskAsync(taskId, cancellationToken)).Where(e => e.Sequence <= reference.HeadSequence).ToList();
        var statement = Statement(reference, entries, clock.GetUtcNow());
        var body = Encoding.UTF8.GetBytes(statement.ToJsonString(Json));
        var key = keys.Current(reference.KeyId);
        var signature = key.Sign(ChainEncoding.Pae(PayloadType, body));
        return new JsonObject
        {
            ["payloadType"] = PayloadType,
            ["payload"] = Convert.ToBase64String(body),
            ["signatures"] = new JsonArray(new JsonObject { ["keyid"] = key.KeyId, ["sig"] = Convert.ToBase64String(signature) }),
        }.ToJsonString(Json);
    }

    /// <summary>
    /// Checks an envelope against trusted audit keys (retired ones included: an attestation stays valid after a
    /// rotation). Valid when one signature by a trusted key verifies over the PAE of the payload.
    /// </summary>
    public static AttestationVerification Verify(string envelope, IEnumerable<AuditKey> trustedKeys)
    {
        ArgumentNullException.ThrowIfNull(trustedKeys);
        try
        {
            var root = JsonNode.Parse(envelope)?.AsObject() ?? throw new FormatException("empty envelope");
            var payloadType = root["payloadType"]?.GetValue<string>();
            if (payloadType != PayloadType)
            {
                return AttestationVerification.Invalid($"payloadType is '{payloadType}', expected '{PayloadType}'");
            }

            var body = Signatures.FromBase64(root["payload"]?.GetValue<string>()) ?? throw new FormatException("payload is not base64");
            var pae = ChainEncoding.Pae(PayloadType, body);
            var keys = trustedKeys.Where(k => k.Role == AuditKey.AuditRole).ToList();
            foreach (var signature in root["signatures"]?.AsArray() ?? [])
            {
                var keyId = signature?["keyid"]?.GetValue<string>();
                var key = keys.FirstOrDefault(k => k.KeyId == keyId);
                var sig = Signatures.FromBase64(signature?["sig"]?.GetValue<string>());
                if (key is not null && sig is not null && Signatures.FromBase64(key.PublicKey) is { } publicKey
                    && Signatures.Verify(key.Algorithm, publicKey, pae, sig))
                {
                    var statement = JsonNode.Parse(body)?.AsObject();
                    return statement?["_type"]?.GetValue<string>() == StatementType && statement["predicateType"]?.GetValue<string>() == PredicateType
                        ? new AttestationVerification(true, $"signed by audit key {key.KeyId}", key.KeyId, Encoding.UTF8.GetString(body))
                        : AttestationVerification.Invalid("the signature verifies, but the payload is not an Atom package-decision statement");
                }
            }

            return AttestationVerification.Invalid("no signature verifies with a trusted audit key");
        }
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException)
        {
            return AttestationVerification.Invalid($"not a DSSE envelope: {ex.Message}");
        }
    }

    private static JsonObject Statement(AuditReference reference, IReadOnlyList<AuditEntry> entries, DateTimeOffset now)
    {
        var payloads = entries.Select(e => (Entry: e, Payload: e.Payload is null ? null : JsonNode.Parse(e.Payload) as JsonObject)).ToList();
        var repository = payloads.Select(p => Text(p.Payload, "repository")).FirstOrDefault(r => r is not null);
        var issue = payloads.Select(p => p.Payload?["issue"]).FirstOrDefault(i => i is not null);
        var approvals = payloads.Where(p => p.Entry.Kind == AuditKinds.ApprovalAccepted).ToList();
        var merge = payloads.LastOrDefault(p => p.Entry.Kind == AuditKinds.Merge);
        var decision = payloads.Select(p => Decision(p.Entry.Kind)).LastOrDefault(d => d is not null) ?? "open";

        var subjects = new JsonArray();
        var certified = Text(merge.Payload, "sha")
            ?? approvals.Select(a => Text(a.Payload, "sha")).LastOrDefault(s => s is not null)
            ?? payloads.Where(p => p.Entry.Kind is AuditKinds.PackagePosted or AuditKinds.PackageUpdated).Select(p => Text(p.Payload, "head")).LastOrDefault(s => s is not null);
        foreach (var sha in new[] { certified, Text(merge.Payload, "mergeCommit") }.OfType<string>().Distinct())
        {
            subjects.Add(new JsonObject { ["name"] = $"{repository ?? "repository"}@{sha}", ["digest"] = new JsonObject { ["gitCommit"] = sha } });
        }

        if (subjects.Count == 0)
        {
            // No commit was certified: the statement is about the audit chain itself.
            subjects.Add(new JsonObject { ["name"] = $"atom-audit-chain@{reference.HeadSequence}", ["digest"] = new JsonObject { ["sha256"] = reference.HeadHash } });
        }

        return new JsonObject
        {
            ["_type"] = StatementType,
            ["subject"] = subjects,
            ["predicateType"] = PredicateType,
            ["predicate"] = new JsonObject
            {
                ["task"] = new JsonObject { ["id"] = reference.TaskId, ["repository"] = repository, ["issue"] = issue?.DeepClone() },
                ["decision"] = decision,
                ["commit"] = certified,
                ["merge_commit"] = Text(merge.Payload, "mergeCommit"),
                ["approvals"] = new JsonArray(approvals.Select(a => (JsonNode)new JsonObject
                {
                    ["actor"] = a.Entry.Actor,
                    ["sha"] = Text(a.Payload, "sha"),
                    ["sequence"] = a.Entry.Sequence,
                    ["time"] = ChainEncoding.Time(a.Entry.Time),
                }).ToArray()),
                ["audit"] = new JsonObject
                {
                    ["first_sequence"] = reference.FirstSequence,
                    ["last_sequence"] = reference.LastSequence,
                    ["entries"] = reference.EntryCount,
                    ["head_sequence"] = reference.HeadSequence,
                    ["head_hash"] = reference.HeadHash,
                    ["key_id"] = reference.KeyId,
                    ["verify"] = $"{reference.ExportCommand} && {reference.VerifyCommand}",
                },
                ["entries"] = new JsonArray(entries.Select(e => (JsonNode)new JsonObject
                {
                    ["sequence"] = e.Sequence,
                    ["kind"] = e.Kind,
                    ["actor"] = e.Actor,
                    ["time"] = ChainEncoding.Time(e.Time),
                    ["hash"] = e.Hash,
                    ["instance"] = e.Instance,
                }).ToArray()),
                ["attested_at"] = ChainEncoding.Time(now),
            },
        };
    }

    private static string? Decision(string kind) => kind switch
    {
        AuditKinds.Merge => "merged",
        AuditKinds.Rejection => "rejected",
        AuditKinds.TaskCancelled => "cancelled",
        AuditKinds.TaskFailed => "failed",
        AuditKinds.ApprovalAccepted => "approved",
        AuditKinds.PackagePosted or AuditKinds.PackageUpdated or AuditKinds.ApprovalStale or AuditKinds.ApprovalWithdrawn => "awaiting_approval",
        AuditKinds.TaskAccepted => "open",
        _ => null,
    };

    private static string? Text(JsonObject? payload, string name) =>
        payload?[name] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
}
