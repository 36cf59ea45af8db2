using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Atom.Bot.GitHub;
using Atom.Bot.Proposals;
using Atom.Bot.Tasks;

namespace Atom.Bot.Dashboard;

/// <summary>
/// <c>GET /ui</c>: one server-rendered HTML page for the operator, readable on a phone, that reloads itself every
/// <see cref="Refresh"/> with a one-line inline script. Every value is HTML-encoded where it is written (titles,
/// branches, repository names and reasons come from GitHub users); the page holds nothing secret.
/// </summary>
public static class StatusPage
{
    public static readonly TimeSpan Refresh = TimeSpan.FromSeconds(15);

    private static readonly string Script = $"setTimeout(function () {{ location.reload(); }}, {Refresh.TotalMilliseconds.ToString(CultureInfo.InvariantCulture)});";

    private const string Css = """
        :root { color-scheme: light dark; font-family: system-ui, -apple-system, "Segoe UI", sans-serif; }
        body { margin: 0 auto; max-width: 62rem; padding: .75rem; line-height: 1.4; overflow-wrap: anywhere; }
        header p, .muted, dt { color: #888; }
        h1 { font-size: 1.3rem; margin: 0; }
        h2 { font-size: 1.05rem; margin: 1.2rem 0 .4rem; border-bottom: 1px solid #8886; }
        article { border: 1px solid #8886; border-radius: .4rem; padding: .5rem .6rem; margin: .45rem 0; }
        .title { display: block; font-weight: 600; margin: .2rem 0; }
        dl { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: .1rem .7rem; margin: .2rem 0; font-size: .9rem; }
        dd { margin: 0; }
        .state { font-size: .8rem; padding: .05rem .45rem; border-radius: .8rem; background: #8883; white-space: nowrap; }
        .s-awaiting_approval, .s-merge_blocked, .s-merge_queued, .s-stressed { background: #fb03; }
        .s-merged, .s-normal { background: #0b45; }
        .s-failed, .s-cancelled, .s-rejected, .s-critical { background: #f445; }
        table { border-collapse: collapse; width: 100%; font-size: .9rem; }
        th, td { text-align: left; padding: .15rem .5rem .15rem 0; vertical-align: top; }
        th, td code { white-space: nowrap; overflow-wrap: normal; }
        .bad { color: #d22; font-weight: 600; }
        code { font-size: .85em; }
        """;

    /// <summary>The policy allows the page's own style and script (by hash) and nothing else: no other source, no frame, no form.</summary>
    public static readonly string ContentSecurityPolicy =
        $"default-src 'none'; style-src '{Hash(Css)}'; script-src '{Hash(Script)}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    /// <summary>Writes the page with its headers: the policy above, no sniffing, no caching, no referrer.</summary>
    public static Task WriteAsync(HttpResponse response, StatusPageModel model, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        response.ContentType = "text/html; charset=utf-8";
        response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers.CacheControl = "no-store";
        response.Headers["Referrer-Policy"] = "no-referrer";
        return response.WriteAsync(Render(model), cancellationToken);
    }

    public static string Render(StatusPageModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var html = new StringBuilder(16_384);
        html.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
            .Append("<meta name=\"referrer\" content=\"no-referrer\">")
            .Append("<title>Atom status</title><style>").Append(Css).Append("</style><script>").Append(Script).Append("</script></head><body>\n");
        html.Append("<header><h1>Atom status</h1><p>").Append(Time(model.At)).Append(" · reloads every ")
            .Append(Refresh.TotalSeconds.ToString(CultureInfo.InvariantCulture)).Append(" s</p></header>\n");

        Platform(html, model);
        Tasks(html, model);
        Approvals(html, model);
        Proposals(html, model);
        Llm(html, model);
        Jobs(html, model);
        Instances(html, model);
        html.Append("</body></html>\n");
        return html.ToString();
    }

    private static void Platform(StringBuilder html, StatusPageModel model)
    {
        var level = model.Platform.Level.ToString().ToLowerInvariant();
        html.Append("<section id=\"platform\"><h2>Platform and sandbox</h2><dl>")
            .Append("<dt>Health</dt><dd><span class=\"state s-").Append(level).Append("\">").Append(level).Append("</span> ")
            .Append(E(model.Platform.Reason)).Append(" <span class=\"muted\">since ").Append(Time(model.Platform.Since)).Append("</span></dd>");
        if (model.Platform.Reading is { } reading)
        {
            html.Append("<dt>Reading</dt><dd>thermal ").Append(N((double?)reading.ThermalLevel))
                .Append(" · latency ").Append(N(reading.InferenceLatencyMs)).Append(" ms · load ").Append(N(reading.Load))
                .Append(" · VRAM ").Append(N(reading.VramUsedMb)).Append(" / ").Append(N(reading.VramTotalMb)).Append(" MB</dd>");
        }

        html.Append("<dt>LLM</dt><dd>").Append(E(model.MainModel)).Append(", ").Append(N(model.Llm.Concurrency)).Append(" at a time, ")
            .Append(N(model.LlmAttemptTimeout.TotalSeconds)).Append(" s per attempt</dd>");
        var sandbox = model.Sandbox;
        html.Append("<dt>Sandbox</dt><dd>");
        if (sandbox.Unsandboxed)
        {
            html.Append("<span class=\"bad\">none: test commands run without a sandbox, as Atom's own user (ATOM_SANDBOX=none)</span>");
        }
        else if (sandbox.Available)
        {
            html.Append("bwrap, available");
        }
        else
        {
            html.Append("<span class=\"bad\">bwrap, unavailable: no test runs</span> ").Append(E(sandbox.Reason));
        }

        html.Append("</dd></dl></section>\n");
    }

    private static void Tasks(StringBuilder html, StatusPageModel model)
    {
        html.Append("<section id=\"tasks\"><h2>Tasks</h2>");
        if (model.Tasks.Count == 0)
        {
            html.Append("<p class=\"muted\">No task yet.</p>");
        }

        foreach (var row in model.Tasks)
        {
            var task = row.Task;
            var state = task.State.ToName();
            html.Append("<article class=\"task\" data-task=\"").Append(task.Id).Append("\" data-state=\"").Append(state).Append("\">")
                .Append("<span class=\"state s-").Append(state).Append("\">").Append(state).Append("</span> ")
                .Append("<span class=\"repo\">").Append(E(task.Repository)).Append("</span> <span class=\"muted\">task ").Append(task.Id).Append("</span>")
                .Append("<a class=\"title issue\" href=\"").Append(E(GitHubWebUrls.Issue(model.GitHubWeb, task.Repository, task.IssueNumber).AbsoluteUri)).Append("\">#")
                .Append(task.IssueNumber).Append(' ').Append(E(task.IssueTitle)).Append("</a><dl>")
                .Append("<dt>Pull request</dt><dd>");
            if (task.PullRequest is { } pull)
            {
                html.Append("<a class=\"pull\" href=\"").Append(E(GitHubWebUrls.PullRequest(model.GitHubWeb, task.Repository, pull).AbsoluteUri)).Append("\">#").Append(pull).Append("</a>");
            }
            else
            {
                html.Append('—');
            }

            html.Append("</dd><dt>Round</dt><dd>").Append(task.Round).Append("</dd>")
                .Append("<dt>Tokens</dt><dd class=\"tokens\">").Append(N(row.TokensIn)).Append(" in · ").Append(N(row.TokensOut)).Append(" out</dd>")
                .Append("<dt>Waiting for</dt><dd class=\"waiting\">").Append(E(row.WaitingFor(model.Platform) ?? "— (Atom is on it)")).Append("</dd>");
            if (task.StateReason is { Length: > 0 } reason)
            {
                html.Append("<dt>Last step</dt><dd>").Append(E(reason)).Append("</dd>");
            }

            if (task.Branch is { } branch)
            {
                html.Append("<dt>Branch</dt><dd><code>").Append(E(branch)).Append("</code></dd>");
            }

            html.Append("<dt>Updated</dt><dd>").Append(Time(task.UpdatedAt)).Append("</dd></dl></article>\n");
        }

        html.Append("</section>\n");
    }

    private static void Approvals(StringBuilder html, StatusPageModel model)
    {
        var waiting = model.Tasks.Where(t => t.Task.State == TaskState.AwaitingApproval).ToList();
        html.Append("<section id=\"approvals\"><h2>Waiting for approval</h2>");
        if (waiting.Count == 0)
        {
            html.Append("<p class=\"muted\">Nothing waits for approval.</p></section>\n");
            return;
        }

        html.Append("<table><tr><th>Pull request</th><th>Head</th><th>Approvals</th><th>Since</th></tr>");
        foreach (var row in waiting)
        {
            var task = row.Task;
            var link = task.PullRequest is { } pull
                ? GitHubWebUrls.PullRequest(model.GitHubWeb, task.Repository, pull)
                : GitHubWebUrls.Issue(model.GitHubWeb, task.Repository, task.IssueNumber);
            html.Append("<tr><td><a href=\"").Append(E(link.AbsoluteUri)).Append("\">")
                .Append(E(task.Repository)).Append(" #").Append(task.PullRequest ?? task.IssueNumber).Append("</a></td><td><code>")
                .Append(E(task.HeadSha is { } sha ? sha[..Math.Min(7, sha.Length)] : "—")).Append("</code></td><td>").Append(row.ValidApprovals)
                .Append("</td><td>").Append(Time(task.CertifiedAt ?? task.UpdatedAt)).Append("</td></tr>");
        }

        html.Append("</table></section>\n");
    }

    private static void Proposals(StringBuilder html, StatusPageModel model)
    {
        html.Append("<section id=\"proposals\"><h2>Proposals</h2>");
        if (model.Proposals.Count == 0)
        {
            html.Append("<p class=\"muted\">No proposal.</p></section>\n");
            return;
        }

        html.Append("<table><tr><th>Proposal</th><th>State</th><th>Links</th></tr>");
        foreach (var proposal in model.Proposals)
        {
            html.Append("<tr><td>").Append(E(proposal.Repository)).Append(": ").Append(E(proposal.Title)).Append(" <span class=\"muted\">(")
                .Append(proposal.Category.ToName()).Append(")</span></td><td>").Append(proposal.State.ToName()).Append("</td><td>");
            if (proposal.IssueNumber is { } issue)
            {
                html.Append("<a href=\"").Append(E(GitHubWebUrls.Issue(model.GitHubWeb, proposal.Repository, issue).AbsoluteUri)).Append("\">#").Append(issue).Append("</a> ");
            }

            if (proposal.PullRequest is { } pull)
            {
                html.Append("<a href=\"").Append(E(GitHubWebUrls.PullRequest(model.GitHubWeb, proposal.Repository, pull).AbsoluteUri)).Append("\">PR #").Append(pull).Append("</a>");
            }

            html.Append("</td></tr>");
        }

        html.Append("</table></section>\n");
    }

    private static void Llm(StringBuilder html, StatusPageModel model)
    {
        var llm = model.Llm;
        html.Append("<section id=\"llm\"><h2>LLM pool</h2><dl>")
            .Append("<dt>In flight</dt><dd>").Append(N(llm.InFlight)).Append(" of ").Append(N(llm.Concurrency)).Append("</dd>")
            .Append("<dt>Queued</dt><dd>").Append(N(llm.Queued)).Append(" (mean wait ").Append(N(Math.Round(llm.MeanWaitMilliseconds))).Append(" ms)</dd>")
            .Append("<dt>Requests</dt><dd>").Append(N(llm.Completed)).Append(" completed · ").Append(N(llm.Failed)).Append(" failed · ")
            .Append(N(llm.Retried)).Append(" retried</dd>")
            .Append("<dt>Tokens</dt><dd>").Append(N(llm.TokensIn)).Append(" in · ").Append(N(llm.TokensOut)).Append(" out (this process)</dd>");
        foreach (var endpoint in llm.Endpoints)
        {
            html.Append("<dt>").Append(E(endpoint.Endpoint)).Append("</dt><dd>").Append(E(endpoint.Model))
                .Append(endpoint.JsonSchema ? "" : " (no JSON schema)").Append("</dd>");
        }

        html.Append("</dl></section>\n");
    }

    private static void Jobs(StringBuilder html, StatusPageModel model)
    {
        html.Append("<section id=\"queues\"><h2>Job queues</h2><table><tr><th>Queue</th><th>Waiting</th><th>Fetched</th></tr>");
        foreach (var queue in model.Queues)
        {
            html.Append("<tr><td>").Append(E(queue.Name)).Append("</td><td>").Append(N(queue.Enqueued)).Append("</td><td>")
                .Append(queue.Fetched is { } fetched ? N(fetched) : "—").Append("</td></tr>");
        }

        html.Append("</table><p>").Append(N(model.JobsProcessing)).Append(" processing · ").Append(N(model.JobsScheduled)).Append(" scheduled · ")
            .Append(N(model.JobsFailed)).Append(" failed</p></section>\n");
    }

    private static void Instances(StringBuilder html, StatusPageModel model)
    {
        html.Append("<section id=\"instances\"><h2>Instances</h2><table><tr><th>Instance</th><th>Started</th><th>Seen</th></tr>");
        foreach (var instance in model.Instances)
        {
            html.Append("<tr><td>").Append(E(instance.Id)).Append(instance.IsThis ? " <span class=\"muted\">(this page)</span>" : "")
                .Append("</td><td>").Append(Time(instance.StartedAt)).Append("</td><td>").Append(Time(instance.SeenAt)).Append("</td></tr>");
        }

        html.Append("</table></section>\n");
    }

    private static string E(string? text) => WebUtility.HtmlEncode(text ?? "");

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string N(double? value) => value is { } v ? v.ToString("0.#", CultureInfo.InvariantCulture) : "—";

    private static string Time(string stored) =>
        DateTimeOffset.TryParse(stored, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? Time(at) : E(stored);

    private static string Time(DateTimeOffset at) => at.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    private static string Hash(string inline) => "sha256-" + Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(inline)));
}
