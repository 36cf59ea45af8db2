using System.Diagnostics;
using System.Globalization;
using System.Text;
using Atom.Bot.Configuration;
using Atom.Bot.Git;
using Atom.Bot.IntegrationTests.Support;
using LibGit2Sharp;
using Microsoft.Extensions.Logging.Abstractions;

namespace Atom.Bot.Benchmarks;

/// <summary>
/// One assignment's git work on a generated repository (5,000 files and 200 commits of history by default) behind <c>git http-backend</c> with
/// token auth: create the mirror and fetch everything (cold), or fetch a new remote commit into an existing mirror
/// (warm); make a worktree; change one file and commit; push the branch. Done three ways in the same run — pure
/// LibGit2Sharp, the pure git CLI, and <see cref="GitWorkspace"/> (the mix Atom uses) — and compared with the CLI.
/// </summary>
public sealed class GitBenchmark : IBenchmark
{
    private const string Token = "benchmark-token";
    private const string Refspec = "+refs/heads/*:refs/remotes/origin/*";
    private static readonly string[] Steps = ["fetch (cold: new mirror)", "worktree (cold)", "fetch (warm: mirror exists)", "worktree (warm)", "commit", "push"];

    public string Name => "git";

    public string Description => "fetch + worktree + commit + push of one changed file on a 5,000-file repository: LibGit2Sharp vs git CLI vs GitWorkspace";

    public async Task RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var fileCount = BenchmarkSupport.Option(args, "--files", 5000);
        var rounds = BenchmarkSupport.Option(args, "--rounds", 3);
        var history = BenchmarkSupport.Option(args, "--history", 200);
        var root = Directory.CreateTempSubdirectory("atom-git-bench-").FullName;
        try
        {
            var generator = Path.Combine(root, "generator");
            var sizeBytes = await GenerateAsync(root, generator, fileCount, history, cancellationToken);
            await using var server = await GitHttpServer.StartAsync(root, Token, requireAuthForFetch: true);
            var url = server.RepositoryUrl("bench");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"repository: {fileCount} files, {sizeBytes / 1024.0 / 1024.0:0.0} MiB of content, {history} commits of history (deltas to resolve), pack {PackSize(root) / 1024.0 / 1024.0:0.0} MiB, served by git-http-backend with basic auth"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{rounds} round(s); {Environment.ProcessorCount} cores, load average {BenchmarkSupport.LoadAverage()} at start"));

            var results = new Dictionary<string, List<Dictionary<string, double>>> { ["git CLI"] = [], ["LibGit2Sharp"] = [], ["GitWorkspace"] = [] };
            var run = 0;
            for (var round = 0; round < rounds; round++)
            {
                // Rotate the order so that no approach always runs on a cold page cache or after the others.
                foreach (var name in results.Keys.Skip(round % 3).Concat(results.Keys.Take(round % 3)).ToList())
                {
                    var dataDir = Path.Combine(root, $"data-{run++}");
                    var times = new Dictionary<string, double>();
                    await (name switch
                    {
                        "git CLI" => CliAsync(url, dataDir, generator, times, cancellationToken),
                        "LibGit2Sharp" => LibGit2Async(url, dataDir, generator, times, cancellationToken),
                        _ => WorkspaceAsync(url, dataDir, generator, times, cancellationToken),
                    });
                    results[name].Add(times);
                    Directory.Delete(dataDir, recursive: true);
                }
            }

            Print(results);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static async Task CliAsync(string url, string dataDir, string generator, Dictionary<string, double> times, CancellationToken ct)
    {
        var mirror = Path.Combine(dataDir, "mirror.git");
        Directory.CreateDirectory(mirror);
        for (var pass = 0; pass < 2; pass++)
        {
            var temperature = pass == 0 ? "cold" : "warm";
            if (pass == 1)
            {
                await MoveRemoteAsync(generator, ct);
            }

            var t = Stopwatch.GetTimestamp();
            if (pass == 0)
            {
                await Cli(mirror, null, ["init", "--bare", "--quiet", mirror], ct);
            }

            await Cli(mirror, Token, ["fetch", "--prune", "--no-tags", "--no-write-fetch-head", url, Refspec], ct);
            times[pass == 0 ? Steps[0] : Steps[2]] = Elapsed(t);

            var worktree = Path.Combine(dataDir, $"cli-{pass}");
            t = Stopwatch.GetTimestamp();
            await Cli(mirror, null, ["worktree", "add", "--detach", "--quiet", worktree, "refs/remotes/origin/main"], ct);
            times[$"worktree ({temperature})"] = Elapsed(t);

            await ChangeOneFileAsync(worktree, ct);
            t = Stopwatch.GetTimestamp();
            await Cli(worktree, null, ["add", "-A"], ct);
            await Cli(worktree, null, ["-c", "user.name=atom-bot", "-c", "user.email=atom@example.com", "commit", "--quiet", "--no-verify", "-m", "Change one file"], ct);
            Add(times, Steps[4], Elapsed(t) / 2);

            t = Stopwatch.GetTimestamp();
            await Cli(worktree, Token, ["push", "--porcelain", "--no-verify", url, $"HEAD:refs/heads/bench/cli-{Path.GetFileName(dataDir)}-{pass}"], ct);
            Add(times, Steps[5], Elapsed(t) / 2);
        }
    }

    private static async Task LibGit2Async(string url, string dataDir, string generator, Dictionary<string, double> times, CancellationToken ct)
    {
        var mirror = Path.Combine(dataDir, "mirror.git");
        var credentials = new PushOptions { CredentialsProvider = (_, _, _) => new UsernamePasswordCredentials { Username = "x-access-token", Password = Token } };
        for (var pass = 0; pass < 2; pass++)
        {
            var temperature = pass == 0 ? "cold" : "warm";
            if (pass == 1)
            {
                await MoveRemoteAsync(generator, ct);
            }

            var t = Stopwatch.GetTimestamp();
            if (pass == 0)
            {
                Repository.Init(mirror, isBare: true);
            }

            using (var repository = new Repository(mirror))
            {
                // Network.Fetch(url, ...) refuses an http URL as "not a valid remote name": use a named remote.
                _ = repository.Network.Remotes["origin"] ?? repository.Network.Remotes.Add("origin", url, Refspec);
                Commands.Fetch(repository, "origin", [Refspec], new FetchOptions
                {
                    CredentialsProvider = credentials.CredentialsProvider,
                    TagFetchMode = TagFetchMode.None,
                    Prune = true,
                }, null);
                times[pass == 0 ? Steps[0] : Steps[2]] = Elapsed(t);

                // libgit2's worktree add branches from HEAD, so HEAD must name the start commit first.
                var name = $"lg2-{pass}";
                var worktree = Path.Combine(dataDir, name);
                t = Stopwatch.GetTimestamp();
                repository.Refs.UpdateTarget(repository.Refs.Head, repository.Refs["refs/remotes/origin/main"]);
                repository.Worktrees.Add(name, worktree, isLocked: false);
                times[$"worktree ({temperature})"] = Elapsed(t);

                await ChangeOneFileAsync(worktree, ct);
                using var work = new Repository(worktree);
                t = Stopwatch.GetTimestamp();
                Commands.Stage(work, "*");
                var identity = new Signature("atom-bot", "atom@example.com", DateTimeOffset.Now);
                work.Commit("Change one file", identity, identity);
                Add(times, Steps[4], Elapsed(t) / 2);

                t = Stopwatch.GetTimestamp();
                var remote = work.Network.Remotes["origin"];
                string? error = null;
                credentials.OnPushStatusError = e => error = e.Message;
                work.Network.Push(remote, $"refs/heads/{name}:refs/heads/bench/{name}-{Path.GetFileName(dataDir)}", credentials);
                Add(times, Steps[5], Elapsed(t) / 2);
                if (error is not null)
                {
                    throw new InvalidOperationException("libgit2 push failed: " + error);
                }
            }
        }
    }

    private static async Task WorkspaceAsync(string url, string dataDir, string generator, Dictionary<string, double> times, CancellationToken ct)
    {
        await using var workspace = new GitWorkspace(GitOptions.From(BenchmarkSupport.Options(dataDir)), NullLogger<GitWorkspace>.Instance);
        var repo = new RepositoryRef("bench", "bench", url);
        for (var pass = 0; pass < 2; pass++)
        {
            var temperature = pass == 0 ? "cold" : "warm";
            if (pass == 1)
            {
                await MoveRemoteAsync(generator, ct);
            }

            var t = Stopwatch.GetTimestamp();
            var checkout = await workspace.PrepareAsync(repo, "main", $"bench/ws-{Path.GetFileName(dataDir)}-{pass}", Token, ct);
            times[$"fetch + worktree ({temperature})"] = Elapsed(t);

            await ChangeOneFileAsync(checkout.Path, ct);
            t = Stopwatch.GetTimestamp();
            _ = await workspace.CommitAllAsync(checkout, "Change one file", [new("Atom-Task", "1")], ct) ?? throw new InvalidOperationException("nothing committed");
            Add(times, Steps[4], Elapsed(t) / 2);

            t = Stopwatch.GetTimestamp();
            var push = await workspace.PushAsync(checkout, Token, ct);
            Add(times, Steps[5], Elapsed(t) / 2);
            if (!push.Succeeded)
            {
                throw new InvalidOperationException("push failed: " + push.Reason);
            }
        }
    }

    private static void Print(Dictionary<string, List<Dictionary<string, double>>> results)
    {
        double Median(string approach, string step)
        {
            var values = results[approach].Where(r => r.ContainsKey(step)).Select(r => r[step]).Order().ToList();
            return values.Count == 0 ? double.NaN : values[values.Count / 2];
        }

        double Sum(string approach, params string[] steps) => steps.Sum(s => Median(approach, s));

        var culture = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(culture, $"{"median ms",-30}{"git CLI",10}{"LibGit2Sharp",14}{"ratio",8}"));
        foreach (var step in Steps)
        {
            var cli = Median("git CLI", step);
            var lg2 = Median("LibGit2Sharp", step);
            Console.WriteLine(string.Create(culture, $"{step,-30}{cli,10:0}{lg2,14:0}{lg2 / cli,7:0.00}x"));
        }

        string[] cold = [Steps[0], Steps[1], Steps[4], Steps[5]];
        string[] warm = [Steps[2], Steps[3], Steps[4], Steps[5]];
        Console.WriteLine();
        Console.WriteLine(string.Create(culture, $"{"one assignment, median ms",-30}{"git CLI",10}{"LibGit2Sharp",14}{"ratio",8}{"GitWorkspace",14}{"ratio",8}"));
        foreach (var (label, steps, temperature) in new[] { ("cold (new mirror)", cold, "cold"), ("warm (mirror exists)", warm, "warm") })
        {
            var cli = Sum("git CLI", steps);
            var lg2 = Sum("LibGit2Sharp", steps);
            var ws = Median("GitWorkspace", $"fetch + worktree ({temperature})") + Median("GitWorkspace", Steps[4]) + Median("GitWorkspace", Steps[5]);
            Console.WriteLine(string.Create(culture, $"{label,-30}{cli,10:0}{lg2,14:0}{lg2 / cli,7:0.00}x{ws,14:0}{ws / cli,7:0.00}x"));
        }

        Console.WriteLine(string.Create(culture,
            $"GitWorkspace: fetch + worktree cold {Median("GitWorkspace", "fetch + worktree (cold)"):0} ms, warm {Median("GitWorkspace", "fetch + worktree (warm)"):0} ms; commit {Median("GitWorkspace", Steps[4]):0} ms; push {Median("GitWorkspace", Steps[5]):0} ms"));
        var warmRatio = (Median("GitWorkspace", "fetch + worktree (warm)") + Median("GitWorkspace", Steps[4]) + Median("GitWorkspace", Steps[5])) / Sum("git CLI", warm);
        Console.WriteLine(string.Create(culture, $"goal GitWorkspace / git CLI <= 1.2x (warm, the usual case): {(warmRatio <= 1.2 ? "met" : "NOT met")} ({warmRatio:0.00}x)"));
        Console.WriteLine("every round, ms (cold total / warm total) — the spread shows how noisy the machine is:");
        foreach (var (approach, runs) in results)
        {
            var totals = runs.Select(r => string.Create(culture, $"{r.Where(p => !p.Key.Contains("warm", StringComparison.Ordinal)).Sum(p => p.Value):0}/{r.Where(p => !p.Key.Contains("cold", StringComparison.Ordinal)).Sum(p => p.Value):0}"));
            Console.WriteLine($"  {approach,-14}{string.Join("  ", totals)}");
        }
    }

    // The repository is written with `git fast-import` (seconds even for thousands of commits), then repacked with
    // deltas like a real server's pack; the generator is a normal clone used to move main on between passes.
    private static async Task<long> GenerateAsync(string root, string generator, int fileCount, int history, CancellationToken ct)
    {
        var bare = Path.Combine(root, "bench.git");
        await Cli(root, null, ["init", "--bare", "--quiet", "--initial-branch", "main", bare], ct);
        var files = new List<string>[fileCount];
        for (var i = 0; i < fileCount; i++)
        {
            files[i] = [$"namespace Generated.Module{i / 100};", "", $"public static class File{i}", "{"];
            for (var line = 0; line < 40; line++)
            {
                files[i].Add($"    public static int Value{line}() => {i * 40 + line}; // generated line {line} of file {i}");
            }

            files[i].Add("}");
        }

        var start = new ProcessStartInfo("git", "fast-import --quiet") { WorkingDirectory = bare, RedirectStandardInput = true, UseShellExecute = false };
        using (var import = Process.Start(start)!)
        {
            var input = import.StandardInput;
            input.NewLine = "\n";
            var random = new Random(42);
            for (var commit = 0; commit < history; commit++)
            {
                // Each later commit edits 25 files, so a clone has thousands of deltas to resolve (where libgit2 is known to be slow).
                var changed = commit == 0 ? Enumerable.Range(0, fileCount).ToList() : Enumerable.Range(0, 25).Select(_ => random.Next(fileCount)).Distinct().ToList();
                foreach (var i in commit == 0 ? [] : changed)
                {
                    files[i].Insert(4 + random.Next(files[i].Count - 5), $"    // edit {commit}: {random.Next():x8}");
                }

                var message = commit == 0 ? "Generated repository" : $"Edit {commit}";
                await input.WriteAsync(string.Create(CultureInfo.InvariantCulture,
                    $"commit refs/heads/main\ncommitter generator <g@example.com> {1_700_000_000 + commit * 60} +0000\ndata {message.Length}\n{message}\n"));
                foreach (var i in changed)
                {
                    var content = string.Join("\n", files[i]) + "\n";
                    await input.WriteAsync(string.Create(CultureInfo.InvariantCulture,
                        $"M 100644 inline src/module{i / 100:000}/File{i:0000}.cs\ndata {Encoding.UTF8.GetByteCount(content)}\n{content}\n"));
                }
            }

            input.Close();
            await import.WaitForExitAsync(ct);
            if (import.ExitCode != 0)
            {
                throw new InvalidOperationException("git fast-import failed");
            }
        }

        await Cli(bare, null, ["repack", "-a", "-d", "-f", "--quiet"], ct);
        await Cli(root, null, ["clone", "--quiet", bare, generator], ct);
        return files.Sum(f => f.Sum(l => l.Length + 1L));
    }

    private static long PackSize(string root) =>
        new DirectoryInfo(Path.Combine(root, "bench.git", "objects", "pack")).GetFiles("*.pack").Sum(f => f.Length);

    // Someone else changes ten files on main, so that a warm fetch has something to bring.
    private static async Task MoveRemoteAsync(string generator, CancellationToken ct)
    {
        var changed = Directory.GetFiles(Path.Combine(generator, "src"), "*.cs", SearchOption.AllDirectories).Order(StringComparer.Ordinal).Take(10);
        foreach (var file in changed)
        {
            await File.AppendAllTextAsync(file, $"// moved on {Guid.NewGuid()}\n", ct);
        }

        await Cli(generator, null, ["-c", "user.name=generator", "-c", "user.email=g@example.com", "commit", "--quiet", "-am", "Main moves on"], ct);
        await Cli(generator, null, ["push", "--quiet", Path.Combine(Path.GetDirectoryName(generator)!, "bench.git"), "HEAD:refs/heads/main"], ct);
    }

    private static Task ChangeOneFileAsync(string worktree, CancellationToken ct) =>
        File.AppendAllTextAsync(Path.Combine(worktree, "src", "module000", "File0000.cs"), $"// changed {Guid.NewGuid()}\n", ct);

    private static async Task Cli(string workingDirectory, string? token, string[] arguments, CancellationToken ct)
    {
        var result = await GitCli.RunAsync(workingDirectory, arguments, token, ct);
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"git {arguments[0]} failed: {result.StandardError}");
        }
    }

    private static void Add(Dictionary<string, double> times, string step, double value) =>
        times[step] = times.GetValueOrDefault(step) + value;

    private static double Elapsed(long start) => BenchmarkSupport.Milliseconds(start, Stopwatch.GetTimestamp());
}
