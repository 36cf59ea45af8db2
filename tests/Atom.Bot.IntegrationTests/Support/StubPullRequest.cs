namespace Atom.Bot.IntegrationTests.Support;

/// <summary>A pull request as the <see cref="GitHubStub"/> holds it: what Atom created or changed, for tests to inspect.</summary>
public sealed record StubPullRequest(
    int Number,
    string Owner,
    string Repo,
    string Title,
    string Body,
    string Head,
    string Base,
    bool Draft,
    string State,
    bool Merged,
    string Author = GitHubStub.TokenLogin,
    long? HeadRepositoryId = null)
{
    public string NodeId => $"PR_stub{Number}";

    public string HtmlUrl => $"https://github.com/{Owner}/{Repo}/pull/{Number}";
}
