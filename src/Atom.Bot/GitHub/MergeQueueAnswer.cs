namespace Atom.Bot.GitHub;

/// <summary>GitHub's answer to <c>enqueuePullRequest</c> or <c>dequeuePullRequest</c>: done, or the errors it gave.</summary>
public sealed record MergeQueueAnswer(bool Done, string? Error);
