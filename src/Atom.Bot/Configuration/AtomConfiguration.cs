using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Atom.Bot.Configuration;

/// <summary>
/// Loads <see cref="AtomOptions"/> from the environment, <c>./.atom.yml</c>, <c>~/.atom/config.yml</c> and defaults,
/// in that order of precedence. A YAML file uses the variable's name without <c>ATOM_</c>, lower-cased
/// (<c>ATOM_LLM_MODEL</c> is <c>llm_model</c>).
/// </summary>
public static class AtomConfiguration
{
    public const string WorkingDirectoryFileName = ".atom.yml";

    private static readonly string DefaultDataDir = Path.Combine(
        Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".atom");

    /// <summary>Every variable of the contract, in the order <c>atom config</c> prints them.</summary>
    public static readonly IReadOnlyList<SettingDefinition> Settings =
    [
        new("ATOM_WEBHOOK_SECRET", null, IsSecret: true, Required: true),
        new("ATOM_GITHUB_API_URL", "https://api.github.com/", Kind: SettingKind.Url),
        new("ATOM_GITHUB_TOKEN", null, IsSecret: true),
        new("ATOM_GITHUB_APP_ID", null, Kind: SettingKind.PositiveInteger),
        new("ATOM_GITHUB_APP_PRIVATE_KEY_PATH", null),
        new("ATOM_LLM_BASE_URL", "http://localhost:5000/v1", Kind: SettingKind.Url),
        new("ATOM_LLM_MODEL", "default"),
        new("ATOM_LLM_API_KEY", null, IsSecret: true),
        new("ATOM_LLM_CONCURRENCY", "4", Kind: SettingKind.PositiveInteger),
        new("ATOM_LLM_FALLBACK_MODEL", null),
        new("ATOM_LLM_PRICES", null, Kind: SettingKind.LlmPrices),
        new("ATOM_AUDITOR_BASE_URL", null, Kind: SettingKind.Url),
        new("ATOM_AUDITOR_MODEL", null),
        new("ATOM_AUDITOR2_BASE_URL", null, Kind: SettingKind.Url),
        new("ATOM_AUDITOR2_MODEL", null),
        new("ATOM_DATA_DIR", DefaultDataDir),
        new("ATOM_DATABASE", null),
        new("ATOM_JOB_STORAGE", "memory", IsSecret: false),
        new("ATOM_JOB_INVISIBILITY_SECONDS", "300", Kind: SettingKind.PositiveInteger),
        new("ATOM_HEALTH_URL", null, Kind: SettingKind.Url),
        new("ATOM_LLM_TIMEOUT_SECONDS", "120", Kind: SettingKind.PositiveInteger),
        new("ATOM_WORKER_MAX_STEPS", "40", Kind: SettingKind.PositiveInteger),
        new("ATOM_LLM_CONTEXT_TOKENS", "32768", Kind: SettingKind.PositiveInteger),
        new("ATOM_MAX_ASSIGNMENTS", "4", Kind: SettingKind.PositiveInteger),
        new("ATOM_EMBEDDINGS_BASE_URL", null, Kind: SettingKind.Url),
        new("ATOM_EMBEDDINGS_MODEL", null),
        new("ATOM_EMBEDDINGS_API_KEY", null, IsSecret: true),
        new("ATOM_GIT_AUTHOR_NAME", "atom-bot"),
        new("ATOM_GIT_AUTHOR_EMAIL", "atom-bot@users.noreply.github.com"),
        new("ATOM_DASHBOARD_TOKEN", null, IsSecret: true),
        new("ATOM_WORKTREE_SPARES", "2", Kind: SettingKind.NonNegativeInteger),
        new("ATOM_SANDBOX", "bwrap", Kind: SettingKind.SandboxMode),
        new("ATOM_GIT_SIGNING", "auto", Kind: SettingKind.GitSigning),
        new("ATOM_MCP_SERVERS", null, Kind: SettingKind.McpServers),
        new("ATOM_MCP_TOKENS", null, IsSecret: true, Kind: SettingKind.McpTokens),
    ];

    /// <summary>
    /// Loads from the real process environment, working directory and home directory. With
    /// <paramref name="forService"/> false (the offline commands: audit, usage, proposals, db, git) the settings only the
    /// service needs (the webhook secret) are not required: each command asks only for what it uses.
    /// </summary>
    public static ConfigurationResult Load(bool forService = true) =>
        Load(
            ProcessEnvironment(),
            Directory.GetCurrentDirectory(),
            Environment.GetFolderPath(Environment.SpecialFolder.UserProfile),
            forService);

    /// <summary>The process environment as <see cref="Load(IReadOnlyDictionary{string, string?}, string, string, bool)"/> reads it.</summary>
    public static IReadOnlyDictionary<string, string?> ProcessEnvironment() =>
        Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
            .ToDictionary(e => (string)e.Key, e => (string?)e.Value, StringComparer.Ordinal);

    public static ConfigurationResult Load(IReadOnlyDictionary<string, string?> environment, string workingDirectory, string homeDirectory, bool forService = true)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var errors = new List<string>();
        var workingFile = Path.Combine(workingDirectory, WorkingDirectoryFileName);
        var userFile = Path.Combine(homeDirectory, ".atom", "config.yml");
        var fromWorking = ReadFile(workingFile, errors);
        var fromUser = ReadFile(userFile, errors);

        var values = new List<ConfigurationValue>();
        foreach (var setting in Settings)
        {
            var value = Resolve(setting, environment, fromWorking, workingFile, fromUser, userFile);
            if (value.Value is not null)
            {
                var problem = setting.Validate(value.Value);
                if (problem is not null)
                {
                    var shown = setting.IsSecret ? Redaction.Mask : value.Value;
                    errors.Add($"{setting.Variable}: {problem} (got '{shown}'{FromWhere(value)})");
                }
            }
            else if (setting.Required && forService)
            {
                errors.Add($"{setting.Variable} is required but not set (set it in the environment, ./{WorkingDirectoryFileName} or ~/.atom/config.yml)");
            }

            values.Add(value);
        }

        if (Value("ATOM_AUDITOR2_BASE_URL") is not null && Value("ATOM_AUDITOR2_MODEL") is null)
        {
            // A base URL alone names no model; guessing one would audit with a model nobody chose.
            errors.Add("ATOM_AUDITOR2_BASE_URL is set but ATOM_AUDITOR2_MODEL is not: the second auditor needs a model (set ATOM_AUDITOR2_MODEL, or unset both)");
        }

        if (Value("ATOM_EMBEDDINGS_BASE_URL") is not null && Value("ATOM_EMBEDDINGS_MODEL") is null)
        {
            errors.Add("ATOM_EMBEDDINGS_MODEL is required when ATOM_EMBEDDINGS_BASE_URL is set (the embeddings model to ask)");
        }

        // Each list is valid on its own; whether every token names a listed server needs both.
        if (errors.Count == 0)
        {
            McpServers.Parse(values.First(v => v.Variable == "ATOM_MCP_SERVERS").Value, values.First(v => v.Variable == "ATOM_MCP_TOKENS").Value, out var mcpError);
            if (mcpError is not null)
            {
                errors.Add($"ATOM_MCP_TOKENS: {mcpError}");
            }
        }

        if (errors.Count > 0)
        {
            return new ConfigurationResult(null, values, errors);
        }

        return new ConfigurationResult(Build(values), values, errors);

        string? Value(string variable) => values.First(v => v.Variable == variable).Value;
    }

    private static string FromWhere(ConfigurationValue value) =>
        value.SourcePath is null ? "" : $" in {value.SourcePath}";

    private static ConfigurationValue Resolve(
        SettingDefinition setting,
        IReadOnlyDictionary<string, string?> environment,
        Dictionary<string, string> fromWorking,
        string workingFile,
        Dictionary<string, string> fromUser,
        string userFile)
    {
        if (environment.TryGetValue(setting.Variable, out var env) && !string.IsNullOrEmpty(env))
        {
            return new(setting.Variable, env, ConfigurationSource.Environment, setting.IsSecret, null);
        }

        if (fromWorking.TryGetValue(setting.YamlKey, out var working))
        {
            return new(setting.Variable, working, ConfigurationSource.WorkingDirectoryFile, setting.IsSecret, workingFile);
        }

        if (fromUser.TryGetValue(setting.YamlKey, out var user))
        {
            return new(setting.Variable, user, ConfigurationSource.UserFile, setting.IsSecret, userFile);
        }

        return setting.Default is null
            ? new(setting.Variable, null, ConfigurationSource.Unset, setting.IsSecret, null)
            : new(setting.Variable, setting.Default, ConfigurationSource.Default, setting.IsSecret, null);
    }

    private static Dictionary<string, string> ReadFile(string path, List<string> errors)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!File.Exists(path))
        {
            return result;
        }

        try
        {
            var stream = new YamlStream();
            using (var reader = new StreamReader(path))
            {
                stream.Load(reader);
            }

            if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is YamlScalarNode { Value: null or "" })
            {
                return result;
            }

            if (stream.Documents[0].RootNode is not YamlMappingNode map)
            {
                errors.Add($"{path}: expected a mapping of setting names to values");
                return result;
            }

            var known = Settings.Select(s => s.YamlKey).ToHashSet(StringComparer.Ordinal);
            foreach (var (keyNode, valueNode) in map.Children)
            {
                var key = ((YamlScalarNode)keyNode).Value ?? "";
                if (!known.Contains(key))
                {
                    errors.Add($"{path}: unknown setting '{key}' (line {keyNode.Start.Line}); known: {string.Join(", ", known.Order(StringComparer.Ordinal))}");
                    continue;
                }

                if (valueNode is not YamlScalarNode scalar)
                {
                    errors.Add($"{path}: setting '{key}' must be a single value (line {keyNode.Start.Line})");
                    continue;
                }

                if (!string.IsNullOrEmpty(scalar.Value))
                {
                    result[key] = scalar.Value;
                }
            }
        }
        catch (YamlException ex)
        {
            errors.Add($"{path}: invalid YAML at line {ex.Start.Line}: {ex.Message}");
        }
        catch (InvalidCastException)
        {
            errors.Add($"{path}: setting names must be plain text");
        }

        return result;
    }

    private static AtomOptions Build(IReadOnlyList<ConfigurationValue> values)
    {
        string? Get(string variable) => values.First(v => v.Variable == variable).Value;
        int Int(string variable) => int.Parse(Get(variable)!, CultureInfo.InvariantCulture);
        Uri? Url(string variable) => Get(variable) is { } s ? new Uri(WithTrailingSlash(s)) : null;

        var llmBase = Url("ATOM_LLM_BASE_URL")!;
        var llmModel = Get("ATOM_LLM_MODEL")!;
        return new AtomOptions
        {
            // Empty only for an offline command (Load's forService), which never receives a delivery.
            WebhookSecret = Get("ATOM_WEBHOOK_SECRET") ?? "",
            GitHubApiUrl = Url("ATOM_GITHUB_API_URL")!,
            GitHubToken = Get("ATOM_GITHUB_TOKEN"),
            GitHubAppId = Get("ATOM_GITHUB_APP_ID") is { } id ? long.Parse(id, CultureInfo.InvariantCulture) : null,
            GitHubAppPrivateKeyPath = Get("ATOM_GITHUB_APP_PRIVATE_KEY_PATH"),
            LlmBaseUrl = llmBase,
            LlmModel = llmModel,
            LlmApiKey = Get("ATOM_LLM_API_KEY"),
            LlmConcurrency = Int("ATOM_LLM_CONCURRENCY"),
            LlmFallbackModel = Get("ATOM_LLM_FALLBACK_MODEL"),
            LlmPrices = LlmPrices.Parse(Get("ATOM_LLM_PRICES"), out _)!,
            AuditorBaseUrl = Url("ATOM_AUDITOR_BASE_URL") ?? llmBase,
            AuditorModel = Get("ATOM_AUDITOR_MODEL") ?? llmModel,
            // Set only with a model; on the main server unless it names its own.
            Auditor2Model = Get("ATOM_AUDITOR2_MODEL"),
            Auditor2BaseUrl = Get("ATOM_AUDITOR2_MODEL") is null ? null : Url("ATOM_AUDITOR2_BASE_URL") ?? llmBase,
            DataDir = ExpandHome(Get("ATOM_DATA_DIR")!),
            Database = Get("ATOM_DATABASE"),
            // With the state in PostgreSQL, Hangfire's jobs go there too, unless ATOM_JOB_STORAGE was given.
            JobStorage = Get("ATOM_DATABASE") is { } database && values.First(v => v.Variable == "ATOM_JOB_STORAGE").Source == ConfigurationSource.Default
                ? database
                : Get("ATOM_JOB_STORAGE")!,
            JobInvisibilitySeconds = Int("ATOM_JOB_INVISIBILITY_SECONDS"),
            // An endpoint, not a base URL: asked exactly as given.
            HealthUrl = Get("ATOM_HEALTH_URL") is { } health ? new Uri(health) : null,
            LlmTimeoutSeconds = Int("ATOM_LLM_TIMEOUT_SECONDS"),
            WorkerMaxSteps = Int("ATOM_WORKER_MAX_STEPS"),
            LlmContextTokens = Int("ATOM_LLM_CONTEXT_TOKENS"),
            EmbeddingsBaseUrl = Url("ATOM_EMBEDDINGS_BASE_URL"),
            EmbeddingsModel = Get("ATOM_EMBEDDINGS_MODEL"),
            EmbeddingsApiKey = Get("ATOM_EMBEDDINGS_API_KEY"),
            MaxAssignments = Int("ATOM_MAX_ASSIGNMENTS"),
            GitAuthorName = Get("ATOM_GIT_AUTHOR_NAME")!,
            GitAuthorEmail = Get("ATOM_GIT_AUTHOR_EMAIL")!,
            DashboardToken = Get("ATOM_DASHBOARD_TOKEN"),
            WorktreeSpares = Int("ATOM_WORKTREE_SPARES"),
            Sandbox = Enum.Parse<SandboxMode>(Get("ATOM_SANDBOX")!, ignoreCase: true),
            GitSigning = Enum.Parse<GitSigningMode>(Get("ATOM_GIT_SIGNING")!, ignoreCase: true),
            McpServers = McpServers.Parse(Get("ATOM_MCP_SERVERS"), Get("ATOM_MCP_TOKENS"), out _)!,
        };
    }

    private static string WithTrailingSlash(string url) => url.EndsWith('/') ? url : url + "/";

    private static string ExpandHome(string path) =>
        path.StartsWith("~/", StringComparison.Ordinal)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), path[2..])
            : Path.GetFullPath(path);
}
