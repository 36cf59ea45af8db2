namespace Atom.Bot.Audit;

/// <summary>The outcome of checking a DSSE envelope: which trusted key signed it and the statement (JSON) it carries.</summary>
public sealed record AttestationVerification(bool IsValid, string Reason, string? KeyId, string? Statement)
{
    internal static AttestationVerification Invalid(string reason) => new(false, reason, null, null);
}
