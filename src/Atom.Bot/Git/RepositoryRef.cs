namespace Atom.Bot.Git;

/// <summary>A repository as the webhook payload names it: owner, name and <c>repository.clone_url</c> (HTTPS, or a local path in tests).</summary>
public sealed record RepositoryRef(string Owner, string Name, string CloneUrl);
