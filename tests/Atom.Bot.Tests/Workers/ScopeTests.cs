using Atom.Bot.Configuration;
using Atom.Bot.Tasks;
using Atom.Bot.Workers;

namespace Atom.Bot.Tests.Workers;

public sealed class ScopeTests
{
    [Fact]
    public void Repository_scope_always_denies_rules_skills_and_git()
    {
        var scope = Scope.From(new ScopeSettings { Allow = ["src/**"], Deny = ["secrets/**"], MaxFiles = 5, MaxChangedLines = 50 });

        scope.Allow.ShouldBe(["src/**"]);
        scope.Deny.ShouldBe(["secrets/**", ".github/**", ".atom/**", ".git/**"]);
        scope.MaxFiles.ShouldBe(5);
        scope.MaxChangedLines.ShouldBe(50);
    }

    [Theory]
    [InlineData("src/a.cs", true)]
    [InlineData("src/generated/a.cs", false)]
    [InlineData("src/a.md", false)]
    [InlineData("tests/a.cs", false)]
    [InlineData("lib/a.cs", false)]
    [InlineData("secrets/a.cs", false)]
    public void Planned_scope_narrowed_to_the_repository_allows_only_what_both_allow(string path, bool allowed)
    {
        var repository = new Scope(["src/**", "lib/**"], ["src/generated/**"], 20, 800);
        var planned = new Scope(["**/*.cs"], ["lib/**"], int.MaxValue, int.MaxValue);

        var guard = new ScopeGuard(planned.NarrowTo(repository), "/tmp/atom-no-such-worktree");

        guard.Check(path, PathAccess.Write).IsAllowed.ShouldBe(allowed);
    }

    [Fact]
    public void Narrowing_never_widens_a_scope()
    {
        var repository = new Scope(["src/**"], ["src/secret/**"], 10, 100);
        var greedy = new Scope(["**", ".github/**"], [], 1000, 100_000);

        var narrowed = greedy.NarrowTo(repository);
        var guard = new ScopeGuard(narrowed, "/tmp/atom-no-such-worktree");

        narrowed.MaxFiles.ShouldBe(10);
        narrowed.MaxChangedLines.ShouldBe(100);
        narrowed.Deny.ShouldContain("src/secret/**");
        guard.Check("src/a.cs", PathAccess.Write).IsAllowed.ShouldBeTrue();
        guard.Check("docs/a.md", PathAccess.Write).IsAllowed.ShouldBeFalse();
        guard.Check("src/secret/key", PathAccess.Write).IsAllowed.ShouldBeFalse();
        guard.Check(".github/workflows/ci.yml", PathAccess.Write).IsAllowed.ShouldBeFalse();
    }

    [Fact]
    public void Narrowing_keeps_the_smaller_limits_of_the_plan()
    {
        var narrowed = new Scope(["src/**"], [], 3, 40).NarrowTo(new Scope(["**"], [], 20, 800));

        narrowed.MaxFiles.ShouldBe(3);
        narrowed.MaxChangedLines.ShouldBe(40);
        narrowed.Within.ShouldBeEmpty();
    }

    [Fact]
    public void Narrowing_an_allow_everything_plan_takes_the_repository_allow_list()
    {
        var narrowed = new Scope(["**"], [], 20, 800).NarrowTo(new Scope(["src/**"], [], 20, 800));

        narrowed.Allow.ShouldBe(["src/**"]);
        narrowed.Within.ShouldBeEmpty();
    }

    [Fact]
    public void Narrowing_to_an_invalid_repository_scope_denies_everything()
    {
        var narrowed = new Scope(["src/**"], [], 20, 800).NarrowTo(new Scope(["src/{a,b}/**"], [], 20, 800));

        new ScopeGuard(narrowed, "/tmp/atom-no-such-worktree").Check("src/a/x.cs", PathAccess.Write).IsAllowed.ShouldBeFalse();
    }

    [Fact]
    public void Narrowing_twice_keeps_every_repository_allow_list()
    {
        var narrowed = new Scope(["**/*.cs"], [], 20, 800)
            .NarrowTo(new Scope(["src/**"], [], 20, 800))
            .NarrowTo(new Scope(["src/app/**", "tests/**"], [], 20, 800));
        var guard = new ScopeGuard(narrowed, "/tmp/atom-no-such-worktree");

        guard.Check("src/app/a.cs", PathAccess.Write).IsAllowed.ShouldBeTrue();
        guard.Check("src/lib/a.cs", PathAccess.Write).IsAllowed.ShouldBeFalse();
        guard.Check("tests/a.cs", PathAccess.Write).IsAllowed.ShouldBeFalse();
    }

    [Fact]
    public void Description_names_globs_denials_and_limits_in_plain_words()
    {
        var text = new Scope(["src/**"], ["secrets/**"], 7, 300).NarrowTo(new Scope(["src/app/**"], [], 20, 800)).Describe();

        text.ShouldContain("'src/**'");
        text.ShouldContain("also match 'src/app/**'");
        text.ShouldContain("'secrets/**'");
        text.ShouldContain("'.github/**'");
        text.ShouldContain("7 changed files");
        text.ShouldContain("300 changed lines");
    }

    [Fact]
    public void Description_of_an_invalid_scope_says_nothing_may_be_touched() =>
        new Scope([], [], 20, 800).Describe().ShouldContain("every path is refused");

    [Theory]
    [InlineData("src/a.cs", true)]
    [InlineData("docs/a.md", true)]
    [InlineData("src/secret/key", false)]
    [InlineData("lib/a.cs", false)]
    [InlineData("tools/x.sh", false)]
    public void Combining_scopes_never_allows_what_no_member_allows(string path, bool allowed)
    {
        var repository = new Scope(["src/**", "docs/**", "tools/**"], [".github/**"], 20, 800);
        var code = new Scope(["src/**"], ["src/secret/**"], 10, 400).NarrowTo(repository);
        var docs = new Scope(["docs/**", "lib/**"], [], 15, 800).NarrowTo(repository);

        var combined = Scope.Combine([code, docs]);
        var guard = new ScopeGuard(combined, "/tmp/atom-no-such-worktree");

        guard.Check(path, PathAccess.Write).IsAllowed.ShouldBe(allowed);
        combined.MaxFiles.ShouldBe(10);
        combined.MaxChangedLines.ShouldBe(400);
    }
}
