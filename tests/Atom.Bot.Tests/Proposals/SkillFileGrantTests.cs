using Atom.Bot.Proposals;
using Atom.Bot.Tasks;
using Atom.Bot.Workers;

namespace Atom.Bot.Tests.Proposals;

public sealed class SkillFileGrantTests : IDisposable
{
    private readonly DirectoryInfo _worktree = Directory.CreateTempSubdirectory("atom-skill-");

    public void Dispose() => _worktree.Delete(recursive: true);

    internal static Proposal SkillProposal(ProposalState state = ProposalState.Approved, string name = "null-checks", string? approvedBy = "alice") => new()
    {
        Id = 1,
        Repository = "octo/widgets",
        RepositoryId = 4242,
        CloneUrl = "/tmp/none",
        DefaultBranch = "main",
        Category = ProposalCategory.Skill,
        Key = "null checks",
        Title = "Skill: null checks",
        State = state,
        Description = "d",
        Evidence = [],
        Change = new ProposedChange { Skill = new SkillSpec(name, "p", "i", "o", "c") },
        ApprovedBy = approvedBy,
        CreatedAt = DateTimeOffset.UnixEpoch,
        UpdatedAt = DateTimeOffset.UnixEpoch,
    };

    [Theory]
    [InlineData(ProposalState.Open)]
    [InlineData(ProposalState.Rejected)]
    [InlineData(ProposalState.PrOpen)]
    public void No_grant_without_an_approved_spec(ProposalState state) =>
        SkillFileGrant.ForApproved(SkillProposal(state)).ShouldBeNull();

    [Theory]
    [InlineData("../../.github/atom")]
    [InlineData("x/../../y")]
    [InlineData("Upper")]
    [InlineData("")]
    public void No_grant_for_a_name_that_is_not_a_plain_skill_name(string name) =>
        SkillFileGrant.ForApproved(SkillProposal(name: name)).ShouldBeNull();

    [Fact]
    public void No_grant_for_another_category_even_when_approved() =>
        SkillFileGrant.ForApproved(SkillProposal() with { Category = ProposalCategory.Scope }).ShouldBeNull();

    [Fact]
    public void The_granted_guard_allows_exactly_its_one_file()
    {
        var grant = SkillFileGrant.ForApproved(SkillProposal()).ShouldNotBeNull();
        grant.Path.ShouldBe(".atom/skills/null-checks.md");
        var guard = ScopeGuard.ForSingleFile(grant.Path, SkillFile.MaxLines, _worktree.FullName);

        guard.Check(".atom/skills/null-checks.md", PathAccess.Write).IsAllowed.ShouldBeTrue();
        guard.Check(".atom/skills/null-checks.md", PathAccess.Read).IsAllowed.ShouldBeTrue();
        foreach (var path in new[] { ".atom/skills/other.md", ".ATOM/skills/null-checks.md", ".atom/skills/null-checks.md/x", ".github/atom.yml", "src/a.cs", "README.md", ".atom/prompts/system.md", ".atom/skills/../skills/null-checks.md" })
        {
            guard.Check(path, PathAccess.Write).IsAllowed.ShouldBeFalse(path);
        }

        guard.Check(".atom/skills", PathAccess.List).IsAllowed.ShouldBeFalse();
    }

    [Fact]
    public void A_normal_scope_never_opens_the_skills_folder()
    {
        var guard = new ScopeGuard(new Scope([".atom/skills/null-checks.md", "**"], [], 20, 800), _worktree.FullName);
        guard.Check(".atom/skills/null-checks.md", PathAccess.Write).IsAllowed.ShouldBeFalse();
    }

    [Fact]
    public void The_diff_recheck_accepts_only_the_granted_file()
    {
        var grant = SkillFileGrant.ForApproved(SkillProposal())!;
        ScopeGuard.CheckSingleFileChanges(grant.Path, SkillFile.MaxLines, [new ScopeChange(".atom/skills/null-checks.md", 12, 0)]).ShouldBeEmpty();
        ScopeGuard.CheckSingleFileChanges(grant.Path, SkillFile.MaxLines, [new ScopeChange(".atom/skills/null-checks.md", 12, 0), new ScopeChange("src/a.cs", 1, 0)]).ShouldHaveSingleItem().Path.ShouldBe("src/a.cs");
        ScopeGuard.CheckSingleFileChanges(grant.Path, SkillFile.MaxLines, [new ScopeChange(".atom/skills/null-checks.md", 1, 0, IsSymlink: true)]).ShouldHaveSingleItem();
    }

    [Fact]
    public void A_skill_file_needs_its_heading_sections_and_size()
    {
        var spec = new SkillSpec("null-checks", "p", "i", "o", "c");
        const string good = "# null-checks\n\n## Purpose\nx\n## Inputs\nx\n## Outputs\nx\n## Constraints\nx\n";
        SkillFile.Problem(good, spec).ShouldBeNull();
        SkillFile.Problem(null, spec).ShouldNotBeNull();
        SkillFile.Problem(good.Replace("# null-checks", "# other", StringComparison.Ordinal), spec).ShouldNotBeNull();
        SkillFile.Problem(good.Replace("## Outputs", "## Output", StringComparison.Ordinal), spec)!.ShouldContain("Outputs");
        SkillFile.Problem(good + new string('x', SkillFile.MaxBytes), spec)!.ShouldContain("larger");
    }
}
