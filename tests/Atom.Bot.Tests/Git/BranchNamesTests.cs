using Atom.Bot.Git;
using LibGit2Sharp;

namespace Atom.Bot.Tests.Git;

public sealed class BranchNamesTests
{
    [Theory]
    [InlineData("Fix the login button", "fix-the-login-button")]
    [InlineData("  --Add   CSV export!!  ", "add-csv-export")]
    [InlineData("Crash in Parser.Parse() when input is empty (#123)", "crash-in-parser-parse-when-input-is")]
    [InlineData("Café crème à la Straße", "cafe-creme-a-la-strasse")]
    [InlineData("日本語のタイトル", "task")]
    [InlineData("", "task")]
    [InlineData("!!!", "task")]
    [InlineData("../../etc/passwd", "etc-passwd")]
    [InlineData("refs/heads/main.lock", "refs-heads-main-lock")]
    [InlineData("UPPER_case\tand\nnewlines", "upper-case-and-newlines")]
    public void Slug_is_lowercase_ascii_words_joined_by_single_dashes(string title, string expected) =>
        BranchNames.Slug(title).ShouldBe(expected);

    [Fact]
    public void Slug_is_at_most_40_characters_cut_at_a_word_boundary_when_possible()
    {
        var slug = BranchNames.Slug("Refactor the configuration loader so that environment variables win over files");

        slug.Length.ShouldBeLessThanOrEqualTo(40);
        slug.ShouldBe("refactor-the-configuration-loader-so");
        BranchNames.Slug(new string('a', 39) + " b").ShouldBe(new string('a', 39));
        BranchNames.Slug(new string('x', 100)).Length.ShouldBe(40);
    }

    [Fact]
    public void Task_and_assignment_branches_follow_the_documented_shape()
    {
        BranchNames.TaskBranch(42, "Add CSV export").ShouldBe("atom/issue-42/add-csv-export");
        BranchNames.AssignmentBranch(42, "Add CSV export", 3).ShouldBe("atom/issue-42/add-csv-export/3");
    }

    [Fact]
    public void A_single_assignment_works_on_the_task_branch_and_several_on_their_own()
    {
        BranchNames.WorkBranch(7, "Tidy", 1, 1).ShouldBe("atom/issue-7/tidy");
        BranchNames.WorkBranch(7, "Tidy", 1, 2).ShouldBe("atom/issue-7/tidy/1");
        BranchNames.WorkBranch(7, "Tidy", 2, 2).ShouldBe("atom/issue-7/tidy/2");
        Should.Throw<ArgumentOutOfRangeException>(() => BranchNames.WorkBranch(7, "Tidy", 3, 2));
        Should.Throw<ArgumentOutOfRangeException>(() => BranchNames.AssignmentBranch(7, "Tidy", 0));
        Should.Throw<ArgumentOutOfRangeException>(() => BranchNames.TaskBranch(0, "Tidy"));
    }

    [Theory]
    [InlineData("..")]
    [InlineData("a..b ~^:?*[\\ @{")]
    [InlineData("x.lock")]
    [InlineData("/leading/slash/")]
    [InlineData("\u0000\u0007control")]
    public void Every_branch_name_is_a_valid_git_ref_whatever_the_title(string title)
    {
        Reference.IsValidName("refs/heads/" + BranchNames.TaskBranch(1, title)).ShouldBeTrue();
        Reference.IsValidName("refs/heads/" + BranchNames.AssignmentBranch(1, title, 2)).ShouldBeTrue();
    }
}
