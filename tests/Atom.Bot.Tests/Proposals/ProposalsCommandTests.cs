using Atom.Bot.Proposals;
using Atom.Bot.Tests.Audit;

namespace Atom.Bot.Tests.Proposals;

public sealed class ProposalsCommandTests : IAsyncLifetime
{
    private AuditTestChain _chain = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _chain = await AuditTestChain.CreateAsync();

    public async ValueTask DisposeAsync() => await _chain.DisposeAsync();

    private async Task<(int Code, string Output, string Error)> RunAsync(params string[] args)
    {
        await using var output = new StringWriter();
        await using var error = new StringWriter();
        var code = await ProposalsCommand.RunAsync(args, _chain.Options, output, error, Ct);
        return (code, output.ToString(), error.ToString());
    }

    private async Task<Proposal> InsertAsync()
    {
        var store = new ProposalStore(_chain.Database, TimeProvider.System);
        var proposal = (await store.InsertAsync(SkillFileGrantTests.SkillProposal(ProposalState.Open, approvedBy: null) with
        {
            Category = ProposalCategory.Settings,
            Key = "test_timeout_seconds",
            Title = "Settings: raise `test_timeout_seconds`",
            Evidence = [new GapEvidence(3, 17, "tests timed out 1 time(s)")],
            Change = new ProposedChange { SettingsBefore = "test_timeout_seconds: 300\n", SettingsAfter = "test_timeout_seconds: 600\n" },
        }, Ct))!;
        (await store.SetIssueAsync(proposal.Id, 501, Ct)).ShouldBeTrue();
        return proposal;
    }

    [Fact]
    public async Task List_prints_each_proposal_with_its_state_and_issue()
    {
        var proposal = await InsertAsync();

        var (code, output, _) = await RunAsync("list");

        code.ShouldBe(0);
        output.ShouldContain($"{proposal.Id}  octo/widgets  settings  open");
        output.ShouldContain("#501");
    }

    [Fact]
    public async Task Show_prints_the_evidence_and_the_exact_diff()
    {
        var proposal = await InsertAsync();

        var (code, output, _) = await RunAsync("show", proposal.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));

        code.ShouldBe(0);
        output.ShouldContain("task 3 (#17): tests timed out 1 time(s)");
        output.ShouldContain("-test_timeout_seconds: 300");
        output.ShouldContain("+test_timeout_seconds: 600");
    }

    [Theory]
    [InlineData]
    [InlineData("show")]
    [InlineData("show", "x")]
    [InlineData("delete", "1")]
    public async Task A_usage_error_exits_2(params string[] args) => (await RunAsync(args)).Code.ShouldBe(2);

    [Fact]
    public async Task An_unknown_proposal_exits_1() => (await RunAsync("show", "99")).Code.ShouldBe(1);
}
