using System.Diagnostics;
using System.Net;
using Atom.Bot.IntegrationTests.Support;

namespace Atom.Bot.IntegrationTests.Packaging;

/// <summary>
/// The single-file, self-contained <c>atom</c> that README's "Install" gives for linux-x64, published from these
/// sources and run as a user would: one file, no .NET on the path it needs, the whole loop from a labelled issue to a
/// pull request (SQLite, libgit2 and libsodium are native libraries packed inside it).
/// </summary>
public sealed class PublishedBinaryTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("atom-publish-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact(Timeout = 600_000)]
    public async Task The_published_single_file_runs_the_loop_from_a_labelled_issue_to_a_pull_request()
    {
        var atom = await PublishAsync(TestContext.Current.CancellationToken);
        Directory.GetFiles(Path.GetDirectoryName(atom)!).Select(Path.GetFileName).Where(f => f!.EndsWith(".so", StringComparison.Ordinal)).ShouldBeEmpty("native libraries are inside the one file");
        var help = await RunAsync(atom, "help");
        help.Code.ShouldBe(0);
        help.Output.ShouldStartWith("usage: atom");

        using var github = new GitHubStub();
        using var llm = new LlmScript();
        using var repository = TestRepository.Create(new Dictionary<string, string> { ["README.md"] = "# Widgets\n", ["src/app.txt"] = "hello\n" });
        github.Settings(null);
        github.BranchHead = repository.Head;
        llm.ReplyJson(new
        {
            rationale = "One change.",
            assignments = new[] { new { title = "Greeting", instructions = "Add a greeting.", scope = new { allow = new[] { "src/**" }, deny = Array.Empty<string>() } } },
        });
        llm.ReplyToolCall("write_file", new { path = "src/greeting.txt", content = "hello\n" }).ReplyToolCall("finish", new { summary = "Added a greeting." });
        llm.ReplyJson(new { score = 0.9, verdict = "pass", findings = Array.Empty<object>() });
        var dataDir = Directory.CreateDirectory(Path.Combine(_work, "data")).FullName;
        var environment = new Dictionary<string, string?>
        {
            ["ATOM_LLM_BASE_URL"] = llm.BaseUrl.ToString(),
            ["ATOM_LLM_MODEL"] = "scripted-model",
            ["ATOM_WORKTREE_SPARES"] = "0",
            // The runtime is inside the file: nothing of the test host's .NET may help it.
            ["DOTNET_ROOT"] = Path.Combine(_work, "no-dotnet"),
        };
        await using var service = await AtomProcess.StartAsync(github, dataDir, environment, atom);

        var labeled = Payloads.Labeled(cloneUrl: repository.BarePath);
        labeled["repository"]!["default_branch"] = "main";
        (await service.SendAsync("issues", labeled)).StatusCode.ShouldBe(HttpStatusCode.OK);
        try
        {
            await Eventually.TrueAsync(() => github.PullRequests.Count >= 1, "the pull request", TimeSpan.FromSeconds(90));
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{ex.Message}\n{service.Output}", ex);
        }

        repository.Tree(github.PullRequests.ShouldHaveSingleItem().Head)["src/greeting.txt"].ShouldBe("hello\n");
        (await service.Client.GetAsync("/readyz", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
        // Lucene.Net finds its codecs by reflection: the retrieval index must work from inside the one file too.
        service.Output.ShouldContain("file(s) read,");
        service.Output.ShouldNotContain("the prompt goes on without relevant files");
    }

    /// <summary>Publishes a copy of the sources (so that this checkout's obj/ keeps its own restore) and returns the binary.</summary>
    private async Task<string> PublishAsync(CancellationToken cancellationToken)
    {
        var root = RepositoryRoot();
        var sources = Path.Combine(_work, "src");
        foreach (var file in new[] { "Directory.Build.props", "Directory.Packages.props", "global.json" })
        {
            File.Copy(Path.Combine(root, file), Path.Combine(_work, file));
        }

        CopyProject(Path.Combine(root, "src", "Atom.Bot"), Path.Combine(sources, "Atom.Bot"));
        var output = Path.Combine(_work, "out");
        cancellationToken.ThrowIfCancellationRequested();
        var publish = await RunAsync("dotnet", "publish", Path.Combine(sources, "Atom.Bot"), "-c", "Release", "-r", "linux-x64", "--self-contained", "-p:PublishSingleFile=true", "-o", output);
        publish.Code.ShouldBe(0, publish.Output);
        return Path.Combine(output, "atom");
    }

    private static void CopyProject(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(from, file);
            if (relative.StartsWith("bin" + Path.DirectorySeparatorChar, StringComparison.Ordinal) || relative.StartsWith("obj" + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            {
                continue;
            }

            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(to, relative))!);
            File.Copy(file, Path.Combine(to, relative));
        }
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Atom.Bot.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No Atom.Bot.sln above {AppContext.BaseDirectory}");
    }

    private static async Task<(int Code, string Output)> RunAsync(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var inherited in start.Environment.Keys.Where(k => k.StartsWith("ATOM_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(inherited);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(Ct);
        var stderr = process.StandardError.ReadToEndAsync(Ct);
        await process.WaitForExitAsync(Ct);
        return (process.ExitCode, await stdout + await stderr);
    }
}
