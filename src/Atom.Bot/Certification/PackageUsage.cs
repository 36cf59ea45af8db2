using Atom.Bot.Configuration;

namespace Atom.Bot.Certification;

/// <summary>The task's LLM usage; <see cref="Cost"/> is null where no cost was worked out (a proposal's package).</summary>
public sealed record PackageUsage(long TokensIn, long TokensOut, TimeSpan LlmTime, UsageCost? Cost = null);
