using Atom.Bot.Configuration;
using Atom.Bot.Tasks;
using Atom.Bot.Workers;

namespace Atom.Bot.Tests.Workers;

public sealed class ScopeGuardTests : IDisposable
{
    private readonly DirectoryInfo _worktree = Directory.CreateTempSubdirectory("atom-scope-");

    public void Dispose() => _worktree.Delete(recursive: true);

    public static TheoryData<string> HostilePaths =>
    [
        "../x",
        "../../etc/passwd",
        "/etc/passwd",
        "//server/share/x",
        "C:\\x",
        "C:/x",
        "c:x",
        "a\\..\\..\\x",
        "src\\a.cs",
        "a/../../x",
        "src/../../x",
        "src/../src/a.cs",
        "..",
        "",
        ".",
        "./",
        ".github/workflows/ci.yml",
        ".GitHub/workflows/x",
        ".GITHUB/atom.yml",
        ".github",
        ".git/config",
        ".GIT/config",
        ".Git/hooks/pre-commit",
        "src/.git/config",
        "vendor/lib/.git",
        ".atom/skills/x.md",
        ".ATOM/skills/x.md",
        "src/a\0.cs",
        "src/a.cs\0.txt",
        "src/\u202ecod.exe",
        "src/a\u200b.cs",
        "src/\ufeffa.cs",
        "src/a\u2028b.cs",
        "src/a\nb.cs",
        "src/a\tb.cs",
        "src/a\u007f.cs",
        "src/\ud800.cs",
        "src/\ue000.cs",
        "con",
        "src/CON",
        "src/aux.txt",
        "src/nul",
        "src/com1.cs",
        "src/LPT9.log",
        "src/a.cs.",
        "src/a.cs ",
        "src/ a.cs",
        ".git.",
        ".git ",
        "src/x/..",
        "src/GIT~1/config",
        "GITHUB~1/workflows/ci.yml",
        "src/a:stream",
        "src/" + new string('a', 256),
        "src/" + string.Join('/', Enumerable.Repeat("d", 70)) + "/a.cs",
        "src/" + new string('a', 2000),
    ];

    [Theory]
    [MemberData(nameof(HostilePaths))]
    public void Hostile_path_is_refused_for_every_access(string path)
    {
        var guard = Guard(Scope("**"));

        foreach (var access in new[] { PathAccess.Read, PathAccess.Write, PathAccess.Delete })
        {
            var decision = guard.Check(path, access);
            decision.IsAllowed.ShouldBeFalse($"{access} of '{path}' was allowed as '{decision.RelativePath}'");
            decision.Violation!.Reason.ShouldNotBeNullOrWhiteSpace();
        }
    }

    [Theory]
    [InlineData("../x")]
    [InlineData("/etc")]
    [InlineData(".git")]
    [InlineData(".GitHub")]
    [InlineData(".atom/skills")]
    [InlineData("a\\b")]
    public void Hostile_folder_is_refused_for_listing(string path) =>
        Guard(Scope("**")).Check(path, PathAccess.List).IsAllowed.ShouldBeFalse();

    [Theory]
    [InlineData("src/a.cs", "src/a.cs")]
    [InlineData("./src/a.cs", "src/a.cs")]
    [InlineData("src//a.cs", "src/a.cs")]
    [InlineData("src/./a.cs", "src/a.cs")]
    [InlineData("README.md", "README.md")]
    [InlineData(".gitignore", ".gitignore")]
    [InlineData("src/.github/notes.md", "src/.github/notes.md")]
    [InlineData("docs/émoji 👀.md", "docs/émoji 👀.md")]
    [InlineData("src/backup~old.cs", "src/backup~old.cs")]
    [InlineData("src/console.cs", "src/console.cs")]
    public void Ordinary_path_is_allowed_and_normalised(string path, string normalised)
    {
        var decision = Guard(Scope("**")).Check(path, PathAccess.Write);

        decision.IsAllowed.ShouldBeTrue(decision.Violation?.Reason);
        decision.RelativePath.ShouldBe(normalised);
        decision.FullPath.ShouldBe(Path.Join(_worktree.FullName, normalised));
    }

    [Fact]
    public void Refusal_reasons_say_what_is_wrong()
    {
        var guard = Guard(Scope("src/**"));

        Reason(guard, "../x").ShouldContain("..");
        Reason(guard, "/etc/passwd").ShouldContain("absolute");
        Reason(guard, "C:\\x").ShouldContain("drive");
        Reason(guard, "src\\a.cs").ShouldContain("backslash");
        Reason(guard, ".GitHub/workflows/x").ShouldContain(".GitHub");
        Reason(guard, ".git/config").ShouldContain(".git");
        Reason(guard, "src/a\0.cs").ShouldContain("U+0000");
        Reason(guard, "src/\u202ecod.exe").ShouldContain("U+202E");
        Reason(guard, "docs/a.md").ShouldContain("outside");
    }

    [Fact]
    public void Refused_path_is_shown_with_invisible_characters_escaped()
    {
        var violation = Guard(Scope("**")).Check("src/\u202ecod\0.exe", PathAccess.Write).Violation!;

        violation.Path.ShouldBe("src/\\u202Ecod\\u0000.exe");
        violation.ToToolMessage().ShouldStartWith("Refused: 'src/\\u202Ecod\\u0000.exe' ");
    }

    [Theory]
    [InlineData("src/*.cs", "src/a.cs", true)]
    [InlineData("src/*.cs", "src/a/b.cs", false)]
    [InlineData("src/*.cs", "src/a.csx", false)]
    [InlineData("src/*.cs", "lib/src/a.cs", false)]
    [InlineData("src/**", "src/a/b.cs", true)]
    [InlineData("src/**", "src/a.cs", true)]
    [InlineData("src/**", "srcx/a.cs", false)]
    [InlineData("src/**/*.cs", "src/a.cs", true)]
    [InlineData("src/**/*.cs", "src/a/b/c.cs", true)]
    [InlineData("src/**/*.cs", "src/a/b/c.md", false)]
    [InlineData("**/*.md", "README.md", true)]
    [InlineData("**/*.md", "docs/a/b.md", true)]
    [InlineData("*", "README.md", true)]
    [InlineData("*", "src/a.cs", false)]
    [InlineData("src/", "src/a/b.cs", true)]
    [InlineData("/src/**", "src/a.cs", true)]
    [InlineData("src/**", "SRC/a.cs", false)]
    public void Allow_globs_have_star_and_double_star_semantics(string allow, string path, bool allowed) =>
        Guard(Scope(allow)).Check(path, PathAccess.Write).IsAllowed.ShouldBe(allowed);

    [Theory]
    [InlineData("src/secret/**", "src/secret/key.pem")]
    [InlineData("src/secret", "src/secret/key.pem")]
    [InlineData("src/secret/", "src/secret/a/b")]
    [InlineData("**/*.pem", "src/a/key.pem")]
    [InlineData("src/*.generated.cs", "src/a.generated.cs")]
    [InlineData("src/secret/**", "src/SECRET/key.pem")]
    [InlineData("src/*.pem", "src/KEY.PEM")]
    public void Deny_beats_allow_in_any_letter_case(string deny, string path)
    {
        var guard = Guard(new Scope(["src/**"], [deny], 20, 800));

        foreach (var access in new[] { PathAccess.Read, PathAccess.Write, PathAccess.Delete })
        {
            guard.Check(path, access).IsAllowed.ShouldBeFalse();
        }

        guard.Check("src/ok.cs", PathAccess.Write).IsAllowed.ShouldBeTrue();
    }

    [Fact]
    public void Always_denied_folders_are_refused_even_if_the_scope_forgets_them()
    {
        var guard = Guard(new Scope(["**", ".github/**", ".git/**", ".atom/**"], [], 20, 800));

        guard.Check(".github/workflows/ci.yml", PathAccess.Write).IsAllowed.ShouldBeFalse();
        guard.Check(".github/atom.yml", PathAccess.Read).IsAllowed.ShouldBeFalse();
        guard.Check(".git/config", PathAccess.Read).IsAllowed.ShouldBeFalse();
        guard.Check(".atom/skills/a.md", PathAccess.Delete).IsAllowed.ShouldBeFalse();
        guard.Check("src/a.cs", PathAccess.Write).IsAllowed.ShouldBeTrue();
    }

    public static TheoryData<Scope> InvalidScopes =>
    [
        new Scope([], [], 20, 800),
        new Scope([""], [], 20, 800),
        new Scope(["   "], [], 20, 800),
        new Scope(["src/**"], ["src/{a,b}.cs"], 20, 800),
        new Scope(["src/[ab].cs"], [], 20, 800),
        new Scope(["src/a?.cs"], [], 20, 800),
        new Scope(["src/**.cs"], [], 20, 800),
        new Scope(["../**"], [], 20, 800),
        new Scope(["src/**"], ["!src/keep.cs"], 20, 800),
        new Scope(["C:/src/**"], [], 20, 800),
        new Scope(["src/**"], [""], 20, 800),
        new Scope(["src/**"], [], 0, 800),
        new Scope(["src/**"], [], 20, -1),
        new Scope(null!, [], 20, 800),
        new Scope(["src/**"], null!, 20, 800),
        new Scope(["src/**"], [], 20, 800) { Within = [[]] },
        new Scope(["src/**"], [], 20, 800) { Within = [["src/{x}"]] },
    ];

    [Theory]
    [MemberData(nameof(InvalidScopes))]
    public void Invalid_or_empty_scope_denies_everything(Scope scope)
    {
        var guard = Guard(scope);

        guard.ScopeProblem.ShouldNotBeNull();
        foreach (var access in new[] { PathAccess.Read, PathAccess.Write, PathAccess.Delete, PathAccess.List })
        {
            guard.Check("src/a.cs", access).IsAllowed.ShouldBeFalse();
        }

        guard.Check(".", PathAccess.List).Violation!.Reason.ShouldContain("invalid");
    }

    [Fact]
    public void Symlinked_folder_in_the_checkout_is_refused_for_read_and_write()
    {
        var outside = Directory.CreateTempSubdirectory("atom-scope-outside-");
        try
        {
            File.WriteAllText(Path.Join(outside.FullName, "secret.txt"), "secret");
            Directory.CreateDirectory(Path.Join(_worktree.FullName, "src"));
            Directory.CreateSymbolicLink(Path.Join(_worktree.FullName, "src", "linked"), outside.FullName);
            var guard = Guard(Scope("**"));

            guard.Check("src/linked/secret.txt", PathAccess.Read).Violation!.Reason.ShouldContain("symbolic link 'src/linked'");
            guard.Check("src/linked/new.txt", PathAccess.Write).IsAllowed.ShouldBeFalse();
            guard.Check("src/linked/deeper/new.txt", PathAccess.Write).IsAllowed.ShouldBeFalse();
            guard.Check("src/linked", PathAccess.List).IsAllowed.ShouldBeFalse();
            guard.Check("src/linked", PathAccess.Delete).IsAllowed.ShouldBeFalse();
            guard.Check("src/other.txt", PathAccess.Write).IsAllowed.ShouldBeTrue();
        }
        finally
        {
            outside.Delete(recursive: true);
        }
    }

    [Fact]
    public void Symlinked_file_and_dangling_link_are_refused()
    {
        File.CreateSymbolicLink(Path.Join(_worktree.FullName, "passwd"), "/etc/passwd");
        File.CreateSymbolicLink(Path.Join(_worktree.FullName, "dangling"), "/nonexistent/atom-test");
        var guard = Guard(Scope("**"));

        guard.Check("passwd", PathAccess.Read).Violation!.Reason.ShouldContain("is a symbolic link");
        guard.Check("passwd", PathAccess.Write).IsAllowed.ShouldBeFalse();
        guard.Check("dangling", PathAccess.Write).IsAllowed.ShouldBeFalse();
        guard.Check("dangling/x", PathAccess.Write).IsAllowed.ShouldBeFalse();
    }

    [Fact]
    public void Path_through_a_file_is_refused()
    {
        File.WriteAllText(Path.Join(_worktree.FullName, "a.txt"), "x");

        Guard(Scope("**")).Check("a.txt/b", PathAccess.Write).Violation!.Reason.ShouldContain("is a file");
    }

    [Fact]
    public void Root_may_be_listed_but_not_read_or_written()
    {
        var guard = Guard(Scope("src/**"));

        guard.Check(".", PathAccess.List).RelativePath.ShouldBe("");
        guard.Check("./", PathAccess.List).IsAllowed.ShouldBeTrue();
        guard.Check(".", PathAccess.Read).IsAllowed.ShouldBeFalse();
        guard.Check(".", PathAccess.Write).IsAllowed.ShouldBeFalse();
    }

    [Fact]
    public void Final_diff_recheck_reports_every_offending_path_and_the_totals()
    {
        var scope = new Scope(["src/**"], ["src/secret/**"], 3, 100);
        ScopeChange[] changes =
        [
            new("src/a.cs", 10, 2),
            new(".github/workflows/ci.yml", 1, 0),
            new(".GIT/config", 1, 0),
            new("docs/readme.md", 1, 1),
            new("src/secret/key.pem", 1, 0),
            new("src/link", 1, 0, IsSymlink: true),
            new("src/vendor", 1, 0, IsSubmodule: true),
            new("src/big.cs", 90, 0),
        ];

        var violations = ScopeGuard.CheckChanges(scope, changes);

        violations.Select(v => v.Path).ShouldBe(
        [
            ".github/workflows/ci.yml", ".GIT/config", "docs/readme.md", "src/secret/key.pem", "src/link", "src/vendor",
            "(whole change)", "(whole change)",
        ]);
        violations[4].Reason.ShouldContain("symbolic link");
        violations[5].Reason.ShouldContain("submodule");
        violations[6].Reason.ShouldContain("8 files");
        violations[7].Reason.ShouldContain("109 lines");
    }

    [Fact]
    public void Final_diff_within_scope_and_limits_passes() =>
        ScopeGuard.CheckChanges(new Scope(["src/**"], [], 2, 10), [new("src/a.cs", 5, 3), new("src/b.cs", 0, 2)]).ShouldBeEmpty();

    [Fact]
    public void Final_diff_under_an_invalid_scope_is_refused_entirely() =>
        ScopeGuard.CheckChanges(new Scope([], [], 20, 800), [new("src/a.cs", 1, 0)]).Single().Reason.ShouldContain("invalid");

    [Fact]
    public void Default_repository_scope_allows_code_and_refuses_rules()
    {
        var guard = Guard(Atom.Bot.Tasks.Scope.From(new ScopeSettings()));

        guard.Check("src/a.cs", PathAccess.Write).IsAllowed.ShouldBeTrue();
        guard.Check(".github/atom.yml", PathAccess.Write).IsAllowed.ShouldBeFalse();
        guard.Check(".atom/skills/a.md", PathAccess.Read).IsAllowed.ShouldBeFalse();
    }

    private ScopeGuard Guard(Scope scope) => new(scope, _worktree.FullName);

    private static Scope Scope(params string[] allow) => new(allow, [], 20, 800);

    private static string Reason(ScopeGuard guard, string path) => guard.Check(path, PathAccess.Write).Violation!.Reason;
}
