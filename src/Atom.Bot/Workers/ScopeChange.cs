namespace Atom.Bot.Workers;

/// <summary>
/// One path of a final diff for <see cref="ScopeGuard.CheckChanges"/>. A rename is two changes (old and new path);
/// <see cref="IsSymlink"/> is git mode 120000 and <see cref="IsSubmodule"/> mode 160000 on either side of the change.
/// </summary>
public sealed record ScopeChange(string Path, int LinesAdded, int LinesRemoved, bool IsSymlink = false, bool IsSubmodule = false);
