using Atom.Bot.Approval;
using Atom.Bot.Configuration;
using Atom.Bot.Dashboard;
using Atom.Bot.GitHub;
using Atom.Bot.Health;
using Atom.Bot.Llm;
using Atom.Bot.Proposals;
using Atom.Bot.Storage;
using Atom.Bot.Tasks;
using Atom.Bot.Workers;
using Hangfire;

namespace Atom.Bot.Platform;

/// <summary>
/// <c>GET /ui</c>, the operator's status page (rendered by <see cref="StatusPage"/>), behind the dashboard gate. It reads
/// what <c>/status</c> reads; it is mapped here rather than in Dashboard/ because the stored usage lives in Platform/,
/// which only the composition root may use.
/// </summary>
public static class StatusPageEndpoints
{
    private const int RecentTasks = 25;
    private const int RecentProposals = 20;

    public static IEndpointRouteBuilder MapStatusPage(this IEndpointRouteBuilder endpoints, AtomOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var web = GitHubWebUrls.Base(options.GitHubApiUrl);
        endpoints.MapGet("/ui", async (HttpContext context, TaskStore tasks, ApprovalStore approvals, ProposalStore proposals, UsageStore usage, JobStorage jobs,
            LlmPool llm, TestSandbox sandbox, InstanceRegistry instances, PlatformMode platform, TimeProvider clock, CancellationToken ct) =>
        {
            var unfinished = await tasks.ListUnfinishedAsync(ct);
            var recent = await tasks.ListRecentAsync(RecentTasks, ct);
            var shown = unfinished.Concat(recent).DistinctBy(t => t.Id).OrderByDescending(t => t.Id).ToList();
            var tokens = await usage.ForTasksAsync([.. shown.Select(t => t.Id)], ct);
            var rows = new List<StatusPageTask>(shown.Count);
            foreach (var task in shown)
            {
                var approved = task.State == TaskState.AwaitingApproval && task.HeadSha is { } head ? (await approvals.ValidApproversAsync(task.Id, head, ct)).Count : 0;
                var used = tokens.GetValueOrDefault(task.Id);
                rows.Add(new StatusPageTask(task, used?.TokensIn ?? 0, used?.TokensOut ?? 0, approved));
            }

            var monitoring = jobs.GetMonitoringApi();
            var model = new StatusPageModel
            {
                At = clock.GetUtcNow(),
                GitHubWeb = web,
                Tasks = rows,
                Proposals = [.. (await proposals.ListAsync(null, ct)).OrderByDescending(p => p.State.IsActive()).ThenByDescending(p => p.Id).Take(RecentProposals)],
                Llm = llm.Snapshot(),
                LlmAttemptTimeout = llm.AttemptTimeout,
                MainModel = llm.ModelFor(LlmEndpoint.Main),
                Queues = [.. monitoring.Queues().Select(q => new StatusPageQueueLength(q.Name, q.Length, q.Fetched))],
                JobsProcessing = monitoring.ProcessingCount(),
                JobsScheduled = monitoring.ScheduledCount(),
                JobsFailed = monitoring.FailedCount(),
                Platform = platform.Current,
                Sandbox = await sandbox.CheckAsync(ct),
                Instances = await instances.ListLiveAsync(ct),
            };
            await StatusPage.WriteAsync(context.Response, model, ct);
        }).RequireDashboardToken(new DashboardGate(options.DashboardToken));
        return endpoints;
    }
}
