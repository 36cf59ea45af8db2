using System.Globalization;
using Atom.Bot.Configuration;
using Atom.Bot.Storage;

namespace Atom.Bot.Proposals;

/// <summary><c>atom proposals list | show N</c>: read-only views of the proposal store. Exit 0, 1 when not found, 2 on a usage error.</summary>
public static class ProposalsCommand
{
    public const string Usage = """
        usage: atom proposals <command>
          list      every proposal: id, repository, category, state, issue, pull request, title
          show N    one proposal: gap, evidence, proposed change, approval, pull request
        """;

    public static async Task<int> RunAsync(string[] args, AtomOptions options, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        var valid = args is ["list"] || (args is ["show", var n] && long.TryParse(n, NumberStyles.None, CultureInfo.InvariantCulture, out _));
        if (!valid)
        {
            await error.WriteLineAsync(Usage.AsMemory(), cancellationToken);
            return 2;
        }

        if (!AtomDatabase.Exists(options))
        {
            await error.WriteLineAsync($"atom proposals: no database at {options.DatabasePath} (ATOM_DATA_DIR)".AsMemory(), cancellationToken);
            return 1;
        }

        await using var database = AtomDatabase.For(options);
        await database.MigrateAsync(cancellationToken);
        var store = new ProposalStore(database, TimeProvider.System);
        if (args[0] == "list")
        {
            var all = await store.ListAsync(null, cancellationToken);
            if (all.Count == 0)
            {
                await output.WriteLineAsync("no proposals".AsMemory(), cancellationToken);
                return 0;
            }

            foreach (var p in all)
            {
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"{p.Id,4}  {p.Repository}  {p.Category.ToName(),-8}  {p.State.ToName(),-8}  issue {(p.IssueNumber is { } i ? $"#{i}" : "-"),-6}  pr {(p.PullRequest is { } pr ? $"#{pr}" : "-"),-6}  {p.Title}").AsMemory(), cancellationToken);
            }

            return 0;
        }

        var id = long.Parse(args[1], CultureInfo.InvariantCulture);
        if (await store.GetAsync(id, cancellationToken) is not { } proposal)
        {
            await error.WriteLineAsync($"atom proposals: no proposal {id}".AsMemory(), cancellationToken);
            return 1;
        }

        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"""
            proposal {proposal.Id} ({proposal.Category.ToName()}, key {proposal.Key}) in {proposal.Repository}
            title:    {proposal.Title}
            state:    {proposal.State.ToName()}{(proposal.StateReason is { } r ? $" ({r})" : "")}
            issue:    {(proposal.IssueNumber is { } issue ? $"#{issue}" : "-")}
            approved: {proposal.ApprovedBy ?? "-"}{(proposal.AutoApproved ? " (auto_approve)" : "")}
            pull request: {(proposal.PullRequest is { } number ? $"#{number} on {proposal.Branch}" : "-")}
            text:     {(proposal.TextModel is { } model ? $"worded by the model {model}" : "templates")}

            {proposal.Description}

            evidence:
            {string.Join("\n", proposal.Evidence.Select(e => $"  task {e.TaskId} (#{e.Issue}): {e.Detail}"))}

            proposed change:
            {ProposalText.Change(proposal.Change, proposal.Category)}
            """).AsMemory(), cancellationToken);
        return 0;
    }
}
