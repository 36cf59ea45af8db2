namespace Atom.Bot.Certification;

public sealed record PackageUsage(long TokensIn, long TokensOut, TimeSpan LlmTime);
