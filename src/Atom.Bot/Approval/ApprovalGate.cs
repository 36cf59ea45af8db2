using Atom.Bot.Configuration;
using Atom.Bot.GitHub;
using Octokit;
using WebhookUser = Octokit.Webhooks.Models.User;

namespace Atom.Bot.Approval;

/// <summary>
/// The checks every signal on a task or a proposal passes the same way: a bot's (Atom's own included) is not a signal;
/// who may decide comes from the default branch's settings, and with none that can be trusted nothing is decided on
/// defaults; and a refusal is answered with the same words wherever it was given. The task and proposal handlers differ
/// in what they audit and when they ask, so they call these checks rather than hand a signal over.
/// </summary>
public sealed class ApprovalGate(BotIdentity bots, ApproverCheck approvers, RepoSettingsReader settingsReader, GitHubConversation conversation)
{
    /// <summary>The reason given when the settings cannot be used; the comment quotes the error (<see cref="SettingsUnavailable"/>).</summary>
    public const string SettingsUnusable = "the default branch's `.github/atom.yml` could not be used";

    public const string NotAnApprover = "you are not an approver of this repository (write, maintain or admin permission, or listed in `approvers`)";

    /// <summary>True for a bot or Atom itself: their reviews, comments, edits and merges never count as a person's.</summary>
    public Task<bool> IsBotAsync(WebhookUser user, long? installationId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        return bots.IsBotOrSelfAsync(user.Login, user.Type.ToString(), installationId, cancellationToken);
    }

    /// <summary>The settings for a decision, from the default branch; an error instead when they cannot be trusted (fails closed).</summary>
    public Task<RepoSettingsParseResult> ReadSettingsAsync(IGitHubClient client, string owner, string name, string defaultBranch, CancellationToken cancellationToken) =>
        settingsReader.ReadForDecisionAsync(client, owner, name, defaultBranch, cancellationToken);

    /// <summary>Whether <paramref name="person"/> may approve; <paramref name="fresh"/> asks GitHub past the cache (right before a merge).</summary>
    public Task<bool> MayApproveAsync(
        IGitHubClient client, string owner, string name, long repositoryId, GitHubPerson person, RepoSettings settings, CancellationToken cancellationToken, bool fresh = false) =>
        approvers.IsApproverAsync(client, owner, name, repositoryId, person, settings, cancellationToken, fresh);

    /// <summary>The comment that refuses a command because the settings could not be used, quoting why.</summary>
    public static string SettingsUnavailable(string actor, SlashCommand command, RepoSettingsParseResult read)
    {
        ArgumentNullException.ThrowIfNull(read);
        return ApprovalMessages.SettingsUnavailable(actor, command, SettingsError(read));
    }

    public static string SettingsError(RepoSettingsParseResult read)
    {
        ArgumentNullException.ThrowIfNull(read);
        return read.Error ?? "no settings";
    }

    /// <summary>Answers a refused command where it was given; <paramref name="body"/> replaces the usual words when the refusal needs more.</summary>
    public Task AnswerRefusalAsync(
        IGitHubClient client, string owner, string name, int number, string actor, SlashCommand command, string reason, string? body, CancellationToken cancellationToken) =>
        conversation.CommentAsync(client, owner, name, number, body ?? ApprovalMessages.Refused(actor, command, reason), cancellationToken);
}
