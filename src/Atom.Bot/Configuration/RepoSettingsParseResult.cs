namespace Atom.Bot.Configuration;

/// <summary>Either settings or the error that a human must fix in <c>.github/atom.yml</c>.</summary>
public sealed record RepoSettingsParseResult(RepoSettings? Settings, string? Error);
