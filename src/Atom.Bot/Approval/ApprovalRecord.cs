namespace Atom.Bot.Approval;

/// <summary>One person's approval of one head SHA of a task's package.</summary>
public sealed record ApprovalRecord(long TaskId, string Login, string Sha, ApprovalSource Source, bool Stale, DateTimeOffset At);
