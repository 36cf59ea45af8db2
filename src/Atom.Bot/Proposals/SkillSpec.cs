namespace Atom.Bot.Proposals;

/// <summary>What an approved skill proposal asks a worker to write to <c>.atom/skills/&lt;Name&gt;.md</c>.</summary>
public sealed record SkillSpec(string Name, string Purpose, string Inputs, string Outputs, string Constraints);
