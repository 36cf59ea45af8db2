namespace Atom.Bot.Approval;

/// <summary>
/// One person's approval of one head SHA of a task's package. <see cref="UserId"/> is null only for rows written before
/// approvals were keyed by id: such a row is shown but never counted. <see cref="Withdrawn"/>: its review was dismissed.
/// </summary>
public sealed record ApprovalRecord(long TaskId, string Login, string Sha, ApprovalSource Source, bool Stale, DateTimeOffset At, long? UserId = null, bool Withdrawn = false)
{
    /// <summary>Counts towards <c>required_approvals</c> of <paramref name="sha"/>.</summary>
    public bool CountsFor(string sha) => UserId is not null && !Stale && !Withdrawn && Sha == sha;
}
