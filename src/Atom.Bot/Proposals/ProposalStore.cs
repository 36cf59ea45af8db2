using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using Atom.Bot.Storage;

namespace Atom.Bot.Proposals;

/// <summary>Proposals and the dashboard issue of each repository. State changes are compare-and-set.</summary>
public sealed class ProposalStore(AtomDatabase database, TimeProvider clock)
{
    private const string Columns = """
        id, repository, repository_id, installation_id, clone_url, default_branch, category, key, title, state, state_reason,
        issue_number, description, evidence, change, approved_by, auto_approved, branch, pull_request, created_at, updated_at,
        explanation, text_model
        """;

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Files a new open proposal; null when an active one of the same category and key exists (another run won).</summary>
    public async Task<Proposal?> InsertAsync(Proposal proposal, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(proposal);
        var now = Now();
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO proposals (repository, repository_id, installation_id, clone_url, default_branch, category, key, title, state,
                                   description, evidence, change, explanation, text_model, created_at, updated_at)
            VALUES ($repository, $repositoryId, $installation, $cloneUrl, $defaultBranch, $category, $key, $title, 'open',
                    $description, $evidence, $change, $explanation, $textModel, $now, $now)
            RETURNING id
            """;
        command.Bind("$repository", proposal.Repository);
        command.Bind("$repositoryId", proposal.RepositoryId);
        command.Bind("$installation", (object?)proposal.InstallationId ?? DBNull.Value);
        command.Bind("$cloneUrl", proposal.CloneUrl);
        command.Bind("$defaultBranch", proposal.DefaultBranch);
        command.Bind("$category", proposal.Category.ToName());
        command.Bind("$key", proposal.Key);
        command.Bind("$title", proposal.Title);
        command.Bind("$description", proposal.Description);
        command.Bind("$evidence", JsonSerializer.Serialize(proposal.Evidence, Json));
        command.Bind("$change", JsonSerializer.Serialize(proposal.Change, Json));
        command.Bind("$explanation", (object?)proposal.Explanation ?? DBNull.Value);
        command.Bind("$textModel", (object?)proposal.TextModel ?? DBNull.Value);
        command.Bind("$now", now);
        try
        {
            var id = (long)(await command.ExecuteScalarAsync(cancellationToken))!;
            return await GetAsync(id, cancellationToken);
        }
        catch (DbException ex) when (AtomDatabase.IsConstraintViolation(ex))
        {
            return null;
        }
    }

    public async Task<Proposal?> GetAsync(long id, CancellationToken cancellationToken) =>
        First(await QueryAsync($"SELECT {Columns} FROM proposals WHERE id = $id", cancellationToken, ("$id", id)));

    public async Task<Proposal?> FindActiveAsync(long repositoryId, ProposalCategory category, string key, CancellationToken cancellationToken) =>
        First(await QueryAsync($"SELECT {Columns} FROM proposals WHERE repository_id = $repo AND category = $category AND key = $key AND state IN ('open','approved','pr_open')",
            cancellationToken, ("$repo", repositoryId), ("$category", category.ToName()), ("$key", key)));

    public Task<IReadOnlyList<Proposal>> ListRejectedAsync(long repositoryId, ProposalCategory category, string key, CancellationToken cancellationToken) =>
        QueryAsync($"SELECT {Columns} FROM proposals WHERE repository_id = $repo AND category = $category AND key = $key AND state = 'rejected'",
            cancellationToken, ("$repo", repositoryId), ("$category", category.ToName()), ("$key", key));

    public async Task<Proposal?> FindByIssueAsync(long repositoryId, int issue, CancellationToken cancellationToken) =>
        First(await QueryAsync($"SELECT {Columns} FROM proposals WHERE repository_id = $repo AND issue_number = $issue ORDER BY id DESC LIMIT 1",
            cancellationToken, ("$repo", repositoryId), ("$issue", issue)));

    public async Task<Proposal?> FindByPullRequestAsync(long repositoryId, int pullRequest, CancellationToken cancellationToken) =>
        First(await QueryAsync($"SELECT {Columns} FROM proposals WHERE repository_id = $repo AND pull_request = $pr ORDER BY id DESC LIMIT 1",
            cancellationToken, ("$repo", repositoryId), ("$pr", pullRequest)));

    /// <summary>A repository's proposals (every repository's when null), oldest first.</summary>
    public Task<IReadOnlyList<Proposal>> ListAsync(long? repositoryId, CancellationToken cancellationToken) =>
        repositoryId is { } repo
            ? QueryAsync($"SELECT {Columns} FROM proposals WHERE repository_id = $repo ORDER BY id", cancellationToken, ("$repo", repo))
            : QueryAsync($"SELECT {Columns} FROM proposals ORDER BY id", cancellationToken);

    public Task<bool> SetIssueAsync(long id, int issue, CancellationToken cancellationToken) =>
        ExecuteAsync("UPDATE proposals SET issue_number = $issue, updated_at = $now WHERE id = $id AND issue_number IS NULL", cancellationToken, ("$id", id), ("$issue", issue));

    /// <summary>New evidence for an open proposal (batched, not filed again); false once it is no longer open.</summary>
    public Task<bool> UpdateEvidenceAsync(long id, string title, string description, IReadOnlyList<GapEvidence> evidence, ProposedChange change, CancellationToken cancellationToken) =>
        ExecuteAsync("UPDATE proposals SET title = $title, description = $description, evidence = $evidence, change = $change, updated_at = $now WHERE id = $id AND state = 'open'",
            cancellationToken, ("$id", id), ("$title", title), ("$description", description),
            ("$evidence", JsonSerializer.Serialize(evidence, Json)), ("$change", JsonSerializer.Serialize(change, Json)));

    /// <summary>Moves a proposal from one of <paramref name="from"/> to <paramref name="to"/>; false when another writer got there first.</summary>
    public async Task<bool> TransitionAsync(long id, IReadOnlyCollection<ProposalState> from, ProposalState to, string? reason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(from);
        var states = string.Join(", ", from.Select(s => $"'{s.ToName()}'"));
        return await ExecuteAsync($"UPDATE proposals SET state = $to, state_reason = $reason, updated_at = $now WHERE id = $id AND state IN ({states})",
            cancellationToken, ("$id", id), ("$to", to.ToName()), ("$reason", (object?)reason ?? DBNull.Value));
    }

    /// <summary>
    /// open → approved, recording who approved (or that <c>auto_approve</c> did), only while the stored change is still
    /// <paramref name="change"/>: an approval binds to the change its approver saw, as a package approval binds to a SHA.
    /// </summary>
    public Task<bool> ApproveAsync(long id, string approvedBy, bool auto, ProposedChange change, CancellationToken cancellationToken) =>
        ApproveAsync(id, approvedBy, auto, change, change, cancellationToken);

    /// <summary>
    /// open → approved with <paramref name="approved"/> as the change to build (an approver's edit of the spec on the
    /// issue), in the same write, only while the stored change is still <paramref name="seen"/>: no newer draft slips
    /// between reading the proposal and approving the edit.
    /// </summary>
    public Task<bool> ApproveAsync(long id, string approvedBy, bool auto, ProposedChange seen, ProposedChange approved, CancellationToken cancellationToken) =>
        ExecuteAsync("UPDATE proposals SET state = 'approved', approved_by = $by, auto_approved = $auto, change = $approved, state_reason = NULL, updated_at = $now WHERE id = $id AND state = 'open' AND change = $change",
            cancellationToken, ("$id", id), ("$by", approvedBy), ("$auto", auto ? 1 : 0), ("$change", JsonSerializer.Serialize(seen, Json)),
            ("$approved", JsonSerializer.Serialize(approved, Json)));

    /// <summary>approved → pr_open with the implementation's branch and pull request.</summary>
    public Task<bool> SetPullRequestAsync(long id, string branch, int pullRequest, CancellationToken cancellationToken) =>
        ExecuteAsync("UPDATE proposals SET state = 'pr_open', branch = $branch, pull_request = $pr, updated_at = $now WHERE id = $id AND state = 'approved'",
            cancellationToken, ("$id", id), ("$branch", branch), ("$pr", pullRequest));

    public async Task<int?> DashboardAsync(long repositoryId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT issue_number FROM proposal_dashboards WHERE repository_id = $repo";
        command.Bind("$repo", repositoryId);
        return await command.ExecuteScalarAsync(cancellationToken) is long number ? (int)number : null;
    }

    /// <summary>Records the dashboard issue; false when one was already recorded (the caller then uses that one).</summary>
    public Task<bool> SetDashboardAsync(long repositoryId, int issue, CancellationToken cancellationToken) =>
        ExecuteAsync("INSERT INTO proposal_dashboards (repository_id, issue_number) VALUES ($repo, $issue) ON CONFLICT DO NOTHING", cancellationToken, ("$repo", repositoryId), ("$issue", issue));

    private async Task<bool> ExecuteAsync(string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters) =>
        await database.ExecuteAsync(sql, cancellationToken, [("$now", Now()), .. parameters]) == 1;

    private Task<IReadOnlyList<Proposal>> QueryAsync(string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters) =>
        database.QueryAsync(sql, reader => new Proposal
        {
            Id = reader.GetInt64(0),
            Repository = reader.GetString(1),
            RepositoryId = reader.GetInt64(2),
            InstallationId = reader.IsDBNull(3) ? null : reader.GetInt64(3),
            CloneUrl = reader.GetString(4),
            DefaultBranch = reader.GetString(5),
            Category = ProposalNames.ParseCategory(reader.GetString(6)),
            Key = reader.GetString(7),
            Title = reader.GetString(8),
            State = ProposalNames.ParseState(reader.GetString(9)),
            StateReason = reader.IsDBNull(10) ? null : reader.GetString(10),
            IssueNumber = reader.IsDBNull(11) ? null : reader.GetInt32(11),
            Description = reader.GetString(12),
            Evidence = JsonSerializer.Deserialize<List<GapEvidence>>(reader.GetString(13), Json)!,
            Change = JsonSerializer.Deserialize<ProposedChange>(reader.GetString(14), Json)!,
            ApprovedBy = reader.IsDBNull(15) ? null : reader.GetString(15),
            AutoApproved = reader.GetInt64(16) == 1,
            Branch = reader.IsDBNull(17) ? null : reader.GetString(17),
            PullRequest = reader.IsDBNull(18) ? null : reader.GetInt32(18),
            CreatedAt = DateTimeOffset.Parse(reader.GetString(19), CultureInfo.InvariantCulture),
            UpdatedAt = DateTimeOffset.Parse(reader.GetString(20), CultureInfo.InvariantCulture),
            Explanation = reader.IsDBNull(21) ? null : reader.GetString(21),
            TextModel = reader.IsDBNull(22) ? null : reader.GetString(22),
        }, cancellationToken, parameters);

    private static Proposal? First(IReadOnlyList<Proposal> list) => list.Count == 0 ? null : list[0];

    private string Now() => clock.GetUtcNow().ToString("O", CultureInfo.InvariantCulture);
}
