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
            // A value of the wrong type ("lots" for a number) names the key it was given for, as the other errors do.
            var key = ex.InnerException is null ? null : KeyAt(yaml, (int)ex.Start.Line);
            return new RepoSettingsParseResult(null, $"line {ex.Start.Line}, column {ex.Start.Column}: {(key is null ? "" : $"{key}: ")}{message}", TriggerLabelOf(yaml));
        }

        settings ??= RepoSettings.Defaults;
        var error = Validate(settings);
        return error is null
            ? new RepoSettingsParseResult(settings, null, settings.TriggerLabel)
            : new RepoSettingsParseResult(null, error, string.IsNullOrWhiteSpace(settings.TriggerLabel) ? RepoSettings.Defaults.TriggerLabel : settings.TriggerLabel);
    }

    /// <summary>The dotted key (<c>budget.max_tokens_per_task</c>) whose value is on 1-based <paramref name="line"/>, if it reads as a block mapping.</summary>
    private static string? KeyAt(string yaml, int line)
    {
        var lines = yaml.Split('\n');
        if (line < 1 || line > lines.Length)
        {
            return null;
        }

        var path = new List<(int Indent, string Key)>();
        for (var i = 0; i < line; i++)
        {
            var text = lines[i].TrimEnd('\r');
            var trimmed = text.TrimStart();
            var colon = trimmed.IndexOf(':', StringComparison.Ordinal);
            if (trimmed.Length == 0 || trimmed.StartsWith('#') || trimmed.StartsWith('-') || colon <= 0)
            {
                continue;
            }

            var indent = text.Length - trimmed.Length;
            path.RemoveAll(p => p.Indent >= indent);
            path.Add((indent, trimmed[..colon].Trim()));
        }

        return path.Count == 0 ? null : string.Join(".", path.Select(p => p.Key));
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

        if (s.TestFilterArg is { } filterArg && !filterArg.Contains("{filter}", StringComparison.Ordinal))
        {
            return "test_filter_arg must contain {filter} where the filter goes (e.g. \"-k {filter}\")";
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

        var offered = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in s.McpTools)
        {
            if (McpToolReference.Parse(entry, out var problem) is not { } reference)
            {
                return $"mcp_tools: {problem}";
            }

            // Server names may contain '_', so two entries can come out as one function name; the model could not tell them apart.
            if (offered.TryGetValue(reference.OfferedName, out var other) && other != reference.ToString())
            {
                return $"mcp_tools: '{other}' and '{reference}' would both be offered as {reference.OfferedName}";
            }

            offered[reference.OfferedName] = reference.ToString();
        }

        var unknown = s.Proposals.AutoApprove.FirstOrDefault(c => !ProposalCategories.Contains(c));
        return unknown is null
            ? null
            : $"proposals.auto_approve: unknown category '{unknown}' (known: {string.Join(", ", ProposalCategories)})";
    }
}
