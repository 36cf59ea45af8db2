namespace Atom.Bot.Tasks;

/// <summary>
/// A line comment of a review thread on a task's pull request, kept as feedback: <see cref="ThreadId"/> is the thread's
/// first comment (replies answer it), <see cref="Round"/> the round its feedback went to (null while it waits).
/// </summary>
public sealed record ReviewThread
{
    public required long TaskId { get; init; }
    public required long CommentId { get; init; }
    public required long ThreadId { get; init; }
    public required int PullRequest { get; init; }
    public required string Path { get; init; }

    /// <summary>The line of the file the comment is on (the last line of a multi-line comment); null on an outdated diff.</summary>
    public int? Line { get; init; }

    public required string DiffHunk { get; init; }
    public required string Body { get; init; }
    public required string Author { get; init; }
    public required long AuthorId { get; init; }
    public int? Round { get; init; }
    public string? AnsweredSha { get; init; }
}
