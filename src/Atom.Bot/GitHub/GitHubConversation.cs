using Atom.Bot.Configuration;
using Octokit;

namespace Atom.Bot.GitHub;

/// <summary>Everything Atom says on GitHub goes through here, so no secret can reach a comment.</summary>
public sealed class GitHubConversation(Redactor redactor)
{
    public async Task<long> CommentAsync(IGitHubClient client, string owner, string name, int number, string body, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        cancellationToken.ThrowIfCancellationRequested();
        var comment = await client.Issue.Comment.Create(owner, name, number, redactor.Redact(body));
        return comment.Id;
    }

    public async Task ReactToIssueAsync(IGitHubClient client, string owner, string name, int number, ReactionType reaction, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        cancellationToken.ThrowIfCancellationRequested();
        await client.Reaction.Issue.Create(owner, name, number, new NewReaction(reaction));
    }

    public async Task ReactToCommentAsync(IGitHubClient client, string owner, string name, long commentId, ReactionType reaction, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        cancellationToken.ThrowIfCancellationRequested();
        await client.Reaction.IssueComment.Create(owner, name, commentId, new NewReaction(reaction));
    }
}
