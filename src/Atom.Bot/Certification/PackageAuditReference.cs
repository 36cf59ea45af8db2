namespace Atom.Bot.Certification;

public sealed record PackageAuditReference(long FirstSequence, long LastSequence, string HeadHash, string KeyId, string VerifyCommand);
