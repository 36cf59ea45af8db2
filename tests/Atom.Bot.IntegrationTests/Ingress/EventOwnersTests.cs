using Atom.Bot.Ingress;
using Atom.Bot.IntegrationTests.Support;
using Atom.Bot.Proposals;
using Atom.Bot.Tasks;

namespace Atom.Bot.IntegrationTests.Ingress;

/// <summary>
/// Whose an issue or pull request is, decided once per delivery: a proposal's before a task's (a proposal's issue can
/// also be labelled for a task, and what is said there is about the proposal), a task's, or nobody's.
/// </summary>
public sealed class EventOwnersTests
{
    private const long RepositoryId = 186853002;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_issue_or_pull_request_is_a_proposal_s_before_a_task_s_and_otherwise_nobody_s()
    {
        await using var scenario = await AtomScenario.StartAsync();
        var owners = scenario.Host.Services.GetRequiredService<EventOwners>();
        var proposals = scenario.Host.Services.GetRequiredService<ProposalStore>();

        (await owners.OfIssueAsync(RepositoryId, 31, Ct)).ShouldBe(Owner.None);
        (await owners.OfIssueAsync(null, 31, Ct)).ShouldBe(Owner.None);

        var task = (await scenario.Tasks.CreateAsync(new NewTask(Payloads.Repository, RepositoryId, null, Payloads.NoRemote, "main", 31, "Task 31", "Do it.", Payloads.Labeller), Ct)).Task;
        await scenario.Tasks.SetPackageAsync(task.Id, 40, "abc123", "{}", DateTimeOffset.UtcNow, Ct);
        (await owners.OfIssueAsync(RepositoryId, 31, Ct)).ShouldBeOfType<Owner.OfTask>().Task.Id.ShouldBe(task.Id);
        (await owners.OfPullRequestAsync(RepositoryId, 40, Ct)).ShouldBeOfType<Owner.OfTask>().Task.Id.ShouldBe(task.Id);
        (await owners.OfIssueAsync(RepositoryId + 1, 31, Ct)).ShouldBe(Owner.None);

        var proposal = (await proposals.InsertAsync(new Proposal
        {
            Id = 0,
            Repository = Payloads.Repository,
            RepositoryId = RepositoryId,
            CloneUrl = Payloads.NoRemote,
            DefaultBranch = "main",
            Category = ProposalCategory.Tooling,
            Key = "unknown:git_commit",
            Title = "A tool the workers lack",
            State = ProposalState.Open,
            Description = "Workers asked for it.",
            Evidence = [new GapEvidence(task.Id, 31, "unknown:git_commit")],
            Change = new ProposedChange { Report = "git_commit" },
            CreatedAt = DateTimeOffset.UtcNow,
            UpdatedAt = DateTimeOffset.UtcNow,
        }, Ct)).ShouldNotBeNull();
        (await proposals.SetIssueAsync(proposal.Id, 31, Ct)).ShouldBeTrue();

        (await owners.OfIssueAsync(RepositoryId, 31, Ct)).ShouldBeOfType<Owner.OfProposal>().Proposal.Id.ShouldBe(proposal.Id);
        (await owners.OfPullRequestAsync(RepositoryId, 40, Ct)).ShouldBeOfType<Owner.OfTask>().Task.Id.ShouldBe(task.Id);
    }
}
