namespace Atom.Bot.Audit;

/// <summary>The kinds of semantic log entries.</summary>
public static class AuditKinds
{
    public const string TaskAccepted = "task.accepted";
    public const string TaskRefused = "task.refused";
    public const string TaskCancelled = "task.cancelled";
    public const string SettingsInvalid = "settings.invalid";
    public const string InstallationChanged = "installation.changed";
}
