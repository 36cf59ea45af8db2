using System.Text.Json.Serialization;

namespace Atom.Bot.Proposals;

/// <summary>
/// The change a proposal asks for, exactly as it will be built: for scope and settings the whole
/// <c>.github/atom.yml</c> before and after (the diff shown is computed from these two), for a skill its spec, for
/// tooling a report only.
/// </summary>
public sealed record ProposedChange
{
    public string? SettingsBefore { get; init; }
    public string? SettingsAfter { get; init; }
    public SkillSpec? Skill { get; init; }
    public string? Report { get; init; }

    [JsonIgnore]
    public string? Diff => SettingsBefore is not null && SettingsAfter is not null
        ? TextDiff.Unified(Atom.Bot.Configuration.RepoSettings.Path, SettingsBefore, SettingsAfter)
        : null;
}
