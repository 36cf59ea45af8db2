using Atom.Bot.Proposals;
using Atom.Bot.Tests.Audit;

namespace Atom.Bot.Tests.Proposals;

public sealed class ProposalStoreTests : IAsyncLifetime
{
    private AuditTestChain _chain = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private ProposalStore Store => new(_chain.Database, TimeProvider.System);

    public async ValueTask InitializeAsync() => _chain = await AuditTestChain.CreateAsync();

    public async ValueTask DisposeAsync() => await _chain.DisposeAsync();

    private static Proposal Open() => SkillFileGrantTests.SkillProposal(ProposalState.Open, approvedBy: null);

    [Fact]
    public async Task Only_one_active_proposal_per_category_and_key()
    {
        (await Store.InsertAsync(Open(), Ct)).ShouldNotBeNull();
        (await Store.InsertAsync(Open(), Ct)).ShouldBeNull();
        (await Store.InsertAsync(Open() with { Key = "another finding" }, Ct)).ShouldNotBeNull();
    }

    [Fact]
    public async Task A_rejected_proposal_no_longer_blocks_its_key()
    {
        var first = (await Store.InsertAsync(Open(), Ct))!;
        (await Store.TransitionAsync(first.Id, [ProposalState.Open], ProposalState.Rejected, "no", Ct)).ShouldBeTrue();
        (await Store.InsertAsync(Open(), Ct)).ShouldNotBeNull();
        (await Store.ListRejectedAsync(first.RepositoryId, ProposalCategory.Skill, first.Key, Ct)).ShouldHaveSingleItem().Id.ShouldBe(first.Id);
    }

    [Fact]
    public async Task An_approval_binds_to_the_change_its_approver_saw()
    {
        var proposal = (await Store.InsertAsync(Open(), Ct))!;
        var seen = proposal.Change;
        var newer = seen with { Skill = seen.Skill! with { Purpose = "something else" } };
        (await Store.UpdateEvidenceAsync(proposal.Id, proposal.Title, proposal.Description, proposal.Evidence, newer, Ct)).ShouldBeTrue();

        (await Store.ApproveAsync(proposal.Id, "alice", auto: false, seen, Ct)).ShouldBeFalse();
        (await Store.GetAsync(proposal.Id, Ct))!.State.ShouldBe(ProposalState.Open);
        (await Store.ApproveAsync(proposal.Id, "alice", auto: false, newer, Ct)).ShouldBeTrue();
        var approved = (await Store.GetAsync(proposal.Id, Ct))!;
        approved.State.ShouldBe(ProposalState.Approved);
        approved.ApprovedBy.ShouldBe("alice");
        (await Store.UpdateEvidenceAsync(proposal.Id, "t", "d", [], seen, Ct)).ShouldBeFalse();
    }

    [Fact]
    public async Task The_model_drafted_text_and_its_model_are_kept_and_a_template_proposal_has_neither()
    {
        var drafted = (await Store.InsertAsync(Open() with { Explanation = "Workers lacked it.", TextModel = "main-model" }, Ct))!;
        var template = (await Store.InsertAsync(Open() with { Key = "another finding" }, Ct))!;

        (await Store.GetAsync(drafted.Id, Ct))!.ShouldSatisfyAllConditions(p => p.Explanation.ShouldBe("Workers lacked it."), p => p.TextModel.ShouldBe("main-model"));
        (await Store.GetAsync(template.Id, Ct))!.ShouldSatisfyAllConditions(p => p.Explanation.ShouldBeNull(), p => p.TextModel.ShouldBeNull());
    }
}
