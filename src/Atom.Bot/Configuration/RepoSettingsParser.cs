using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Atom.Bot.Configuration;

/// <summary>Parses <c>.github/atom.yml</c> strictly: unknown keys and out-of-range values are errors, not ignored.</summary>
public static class RepoSettingsParser
{
    private static readonly string[] MergeMethods = ["merge", "squash", "rebase"];
    private static readonly string[] ProposalCategories = ["skill", "scope", "settings", "tooling"];

    private static readonly IDeserializer Deserializer = new DeserializerBuilder()
        .WithNamingConvention(UnderscoredNamingConvention.Instance)
        .Build();

    public static RepoSettingsParseResult Parse(string? yaml)
    {
        if (string.IsNullOrWhiteSpace(yaml))
        {
            return new RepoSettingsParseResult(RepoSettings.Defaults, null);
        }

        RepoSettings? settings;
        try
        {
            settings = Deserializer.Deserialize<RepoSettings?>(yaml);
        }
        catch (YamlException ex)
        {
            var message = ex.InnerException is { } inner ? $"{ex.Message} {inner.Message}" : ex.Message;
            return new RepoSettingsParseResult(null, $"line {ex.Start.Line}, column {ex.Start.Column}: {message}", TriggerLabelOf(yaml));
        }

        settings ??= RepoSettings.Defaults;
        var error = Validate(settings);
        return error is null
            ? new RepoSettingsParseResult(settings, null, settings.TriggerLabel)
            : new RepoSettingsParseResult(null, error, string.IsNullOrWhiteSpace(settings.TriggerLabel) ? RepoSettings.Defaults.TriggerLabel : settings.TriggerLabel);
    }

    private static string TriggerLabelOf(string yaml)
    {
        foreach (var line in yaml.Split('\n'))
        {
            var trimmed = line.Trim();
            if (line.StartsWith("trigger_label:", StringComparison.Ordinal))
            {
                var value = trimmed["trigger_label:".Length..].Split('#')[0].Trim().Trim('"', '\'');
                if (value.Length > 0)
                {
                    return value;
                }
            }
        }

        return RepoSettings.Defaults.TriggerLabel;
    }

    private static string? Validate(RepoSettings s)
    {
        if (string.IsNullOrWhiteSpace(s.TriggerLabel))
        {
            return "trigger_label must not be empty";
        }

        if (s.TestTimeoutSeconds <= 0)
        {
            return "test_timeout_seconds must be positive";
        }

        if (s.RequiredApprovals < 1)
        {
            return "required_approvals must be at least 1";
        }

        // `id:<number>` names an account by its numeric id; a typo there must not silently match nobody.
        if (s.Approvers.FirstOrDefault(a => a.Trim().StartsWith("id:", StringComparison.OrdinalIgnoreCase)
                && !long.TryParse(a.Trim()[3..].Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out _)) is { } notAnId)
        {
            return $"approvers: '{notAnId}' is not an account id (write id:<number>, e.g. id:583231)";
        }

        if (!MergeMethods.Contains(s.MergeMethod))
        {
            return $"merge_method must be one of {string.Join(", ", MergeMethods)} (got '{s.MergeMethod}')";
        }

        if (s.MaxRevisions < 0)
        {
            return "max_revisions must not be negative";
        }

        if (s.Scope.MaxFiles <= 0 || s.Scope.MaxChangedLines <= 0)
        {
            return "scope.max_files and scope.max_changed_lines must be positive";
        }

        if (s.Auditor.MinScore is < 0 or > 1)
        {
            return "auditor.min_score must be between 0 and 1";
        }

        if (s.Budget.MaxTokensPerTask < 0 || s.Budget.MaxTokensPerMonth < 0)
        {
            return "budget.max_tokens_per_task and budget.max_tokens_per_month must not be negative (0 = no limit)";
        }

        var t = s.Proposals.Thresholds;
        if (new[] { t.Scope, t.Tooling, t.Settings, t.Skill, t.MissingSkill }.Any(n => n < 1))
        {
            return "proposals.thresholds: every threshold (scope, tooling, settings, skill, missing_skill) must be at least 1 task";
        }

        var unknown = s.Proposals.AutoApprove.FirstOrDefault(c => !ProposalCategories.Contains(c));
        return unknown is null
            ? null
            : $"proposals.auto_approve: unknown category '{unknown}' (known: {string.Join(", ", ProposalCategories)})";
    }
}
