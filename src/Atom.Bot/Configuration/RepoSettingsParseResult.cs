namespace Atom.Bot.Configuration;

/// <summary>
/// Either settings or the error that a human must fix in <c>.github/atom.yml</c>. <see cref="TriggerLabel"/> is known
/// even for an invalid file when its <c>trigger_label</c> line could be read, so that only the trigger label reports the error.
/// </summary>
public sealed record RepoSettingsParseResult(RepoSettings? Settings, string? Error, string TriggerLabel = "atom");
