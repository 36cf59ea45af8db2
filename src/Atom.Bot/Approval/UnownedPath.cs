namespace Atom.Bot.Approval;

/// <summary>A changed path whose code owners (<paramref name="Owners"/> as CODEOWNERS names them) have not approved; <paramref name="Candidates"/> are the people who could.</summary>
public sealed record UnownedPath(string Path, IReadOnlyList<string> Owners, IReadOnlyList<string> Candidates);
