namespace Atom.Bot.Certification;

/// <summary>
/// What changed since the last package a human saw: the diff from its head (<paramref name="FromSha"/>) straight to this
/// package's, so that approving again means reading only this. <paramref name="Diff"/> is null when it could not be made
/// (<paramref name="Unavailable"/> says why).
/// </summary>
public sealed record PackageInterdiff(string FromSha, string ToSha, string? Diff, string? Unavailable = null);
