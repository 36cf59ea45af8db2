using Atom.Bot.Health;
using Atom.Bot.Llm;
using Atom.Bot.Proposals;
using Atom.Bot.Storage;
using Atom.Bot.Workers;

namespace Atom.Bot.Dashboard;

/// <summary>Everything <c>GET /ui</c> shows, read from the same sources as <c>/status</c>; nothing in it is a secret.</summary>
public sealed record StatusPageModel
{
    public required DateTimeOffset At { get; init; }

    /// <summary>The GitHub web root issue and pull request links start from (github.com or an Enterprise host).</summary>
    public required Uri GitHubWeb { get; init; }

    /// <summary>Unfinished tasks and the most recent others, newest first.</summary>
    public required IReadOnlyList<StatusPageTask> Tasks { get; init; }

    public required IReadOnlyList<Proposal> Proposals { get; init; }

    public required LlmStatistics Llm { get; init; }

    public required TimeSpan LlmAttemptTimeout { get; init; }

    public required string MainModel { get; init; }

    public required IReadOnlyList<StatusPageQueueLength> Queues { get; init; }

    public required long JobsProcessing { get; init; }

    public required long JobsScheduled { get; init; }

    public required long JobsFailed { get; init; }

    public required PlatformState Platform { get; init; }

    public required SandboxStatus Sandbox { get; init; }

    public required IReadOnlyList<LiveInstance> Instances { get; init; }
}
