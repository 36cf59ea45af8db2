using System.Diagnostics;
using System.Globalization;
using Atom.Bot.Configuration;
using Atom.Bot.Llm;
using Atom.Bot.Tasks;
using Atom.Bot.Workers;
using Microsoft.Extensions.FileSystemGlobbing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Atom.Bot.Benchmarks;

/// <summary>
/// What the scope guard costs on a generated worktree of 5,000 files: a full <see cref="ScopeGuard.Check"/> (path rules,
/// globs, symlink walk) against the bare glob match it is built on, and list_files / search_code against a plain
/// recursive enumeration and substring scan of the same files.
/// </summary>
public sealed class ScopeBenchmark : IBenchmark
{
    public string Name => "scope";

    public string Description => "scope guard on 5,000 files: Check vs bare glob match; list_files/search_code vs plain enumeration/scan";

    public async Task RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var files = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 5000;
        var worktree = Directory.CreateTempSubdirectory("atom-bench-scope-");
        try
        {
            var paths = Generate(worktree.FullName, files);
            var scope = new Scope(["src/**", "tests/**"], ["src/secret/**"], 20, 800);
            var guard = new ScopeGuard(scope, worktree.FullName);
            var matcher = new Matcher(StringComparison.Ordinal);
            matcher.AddInclude("src/**");
            matcher.AddInclude("tests/**");
            var toolbox = new WorkerToolbox(guard, RepoSettings.Defaults, new TestRunner([], new TestSandbox(SandboxMode.None, TestSandbox.DefaultBwrapPath, [], SandboxLimits.Default, NullLogger<TestSandbox>.Instance), NullLogger<TestRunner>.Instance), NullLogger.Instance);

            for (var round = 0; round < 2; round++)
            {
                var bare = Measure(() => paths.Count(p => matcher.Match("/r", [p]).HasMatches));
                var checks = Measure(() => paths.Count(p => guard.Check(p, PathAccess.Write).IsAllowed));
                var enumerate = Measure(() => Directory.EnumerateFiles(worktree.FullName, "*", SearchOption.AllDirectories).Count());
                var list = await MeasureAsync(() => toolbox.InvokeAsync(new LlmToolCall("1", "list_files", """{"path":"src"}"""), cancellationToken));
                var scan = Measure(() => Directory.EnumerateFiles(worktree.FullName, "*", SearchOption.AllDirectories)
                    .Count(f => File.ReadAllText(f).Contains("needle-42", StringComparison.OrdinalIgnoreCase)));
                var search = await MeasureAsync(() => toolbox.InvokeAsync(new LlmToolCall("1", "search_code", """{"query":"needle-42"}"""), cancellationToken));
                if (round == 0)
                {
                    continue;
                }

                Console.WriteLine($"files: {files}, {Environment.ProcessorCount} cores");
                Console.WriteLine($"bare glob match      {bare * 1000 / files,10:F2} µs/path");
                Console.WriteLine($"ScopeGuard.Check     {checks * 1000 / files,10:F2} µs/path   ratio {checks / bare:F2}x");
                Console.WriteLine($"plain enumeration    {enumerate,10:F1} ms");
                Console.WriteLine($"list_files src       {list,10:F1} ms        ratio {list / enumerate:F2}x (stops at {WorkerToolbox.MaxListedFiles} files)");
                Console.WriteLine($"plain substring scan {scan,10:F1} ms");
                Console.WriteLine($"search_code          {search,10:F1} ms        ratio {search / scan:F2}x");
            }
        }
        finally
        {
            worktree.Delete(recursive: true);
        }
    }

    private static List<string> Generate(string root, int count)
    {
        var paths = new List<string>(count);
        for (var i = 0; i < count; i++)
        {
            var top = (i % 10) switch { < 6 => "src", < 9 => "tests", _ => "docs" };
            var path = $"{top}/module{i % 50:D2}/part{i % 7}/file{i:D5}.cs";
            var full = Path.Join(root, path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllText(full, string.Concat(Enumerable.Range(0, 40).Select(l => $"// line {l} of file {i}, needle-{i % 1000}\n")));
            paths.Add(path);
        }

        return paths;
    }

    private static double Measure(Func<int> work)
    {
        var start = Stopwatch.GetTimestamp();
        _ = work();
        return BenchmarkSupport.Milliseconds(start, Stopwatch.GetTimestamp());
    }

    private static async Task<double> MeasureAsync(Func<Task<ToolOutcome>> work)
    {
        var start = Stopwatch.GetTimestamp();
        var outcome = await work();
        if (outcome.IsError)
        {
            throw new InvalidOperationException(outcome.Content);
        }

        return BenchmarkSupport.Milliseconds(start, Stopwatch.GetTimestamp());
    }
}
