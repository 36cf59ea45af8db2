using System.Globalization;
using System.Text;
using Atom.Bot.Configuration;
using Atom.Bot.Workers;
using Microsoft.Extensions.Logging.Abstractions;

namespace Atom.Bot.Benchmarks;

/// <summary>
/// What the test sandbox costs per run: the same <see cref="TestRunner"/> runs, in one process and interleaved, with
/// <c>ATOM_SANDBOX=bwrap</c> and with <c>ATOM_SANDBOX=none</c> (the baseline), for a trivial command (<c>true</c>) and for
/// a real suite: a generated Python unittest suite (<c>/usr/bin/python3 -B -m unittest</c>, 60 tests doing parsing,
/// sorting, hashing and arithmetic, about half a second of work), and the same suite with <c>PYTHONMALLOC=malloc</c> as a
/// control for CPython's heap-layout effects. Goals: under 50 ms added per run, under 1.1x on the suite. Wall time on a
/// shared machine is noisy: the load average is printed with the figures.
/// </summary>
public sealed class SandboxBenchmark : IBenchmark
{
    private const string Python = "/usr/bin/python3";

    public string Name => "sandbox";

    public string Description => "test runs in the bubblewrap sandbox vs unsandboxed: `true` and a Python unittest suite; added ms and ratio";

    public async Task RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var trivialRuns = BenchmarkSupport.Option(args, "--trivial", 40);
        var suiteRuns = BenchmarkSupport.Option(args, "--suite", 6);
        var worktree = Directory.CreateTempSubdirectory("atom-bench-sandbox-");
        using var sandboxed = new TestSandbox(SandboxMode.Bwrap, TestSandbox.DefaultBwrapPath, [], SandboxLimits.Default, NullLogger<TestSandbox>.Instance);
        using var unsandboxed = new TestSandbox(SandboxMode.None, TestSandbox.DefaultBwrapPath, [], SandboxLimits.Default, NullLogger<TestSandbox>.Instance);
        try
        {
            var status = await sandboxed.CheckAsync(cancellationToken);
            if (!status.Available)
            {
                Console.WriteLine($"the sandbox is unavailable here: {status.Reason}");
                return;
            }

            var cgroup = TestCgroup.TryCreate(SandboxLimits.Default);
            Console.WriteLine($"load average at start: {BenchmarkSupport.LoadAverage()}; limits: {(cgroup is null ? "rlimits only" : $"cgroup (pids {cgroup.LimitsProcesses}, memory {cgroup.LimitsMemory})")} + RLIMIT_FSIZE");
            cgroup?.Remove();
            var inSandbox = new TestRunner([], sandboxed, NullLogger<TestRunner>.Instance);
            var outside = new TestRunner([], unsandboxed, NullLogger<TestRunner>.Instance);

            await CompareAsync("trivial (`true`)", "true", trivialRuns, worktree.FullName, inSandbox, outside, suite: false, cancellationToken);
            if (File.Exists(Python))
            {
                WriteSuite(worktree.FullName);
                await CompareAsync("real suite (python3 unittest, 60 tests)", $"{Python} -B -m unittest discover -s tests -q", suiteRuns, worktree.FullName, inSandbox, outside, suite: true, cancellationToken);

                // The control: the same suite with CPython's small-object allocator off on both sides. Where the suite's
                // ratio differs much from this one, the difference is the interpreter's heap layout (see operations.md),
                // not a cost of the sandbox's namespaces, mounts or limits.
                await CompareAsync("control: the same suite with PYTHONMALLOC=malloc", $"PYTHONMALLOC=malloc {Python} -B -m unittest discover -s tests -q", suiteRuns, worktree.FullName, inSandbox, outside, suite: true, cancellationToken);
            }
            else
            {
                Console.WriteLine($"{Python} is missing: the real suite is skipped");
            }
        }
        finally
        {
            worktree.Delete(recursive: true);
        }
    }

    private static async Task CompareAsync(string name, string command, int runs, string worktree, TestRunner inSandbox, TestRunner outside, bool suite, CancellationToken cancellationToken)
    {
        // One warm-up each (page cache, the probe), then interleaved so that drift in the machine's load hits both.
        await Run(inSandbox, worktree, command, cancellationToken);
        await Run(outside, worktree, command, cancellationToken);
        var sandboxed = new List<double>();
        var baseline = new List<double>();
        var sandboxedInner = new List<double>();
        var baselineInner = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            // Alternate which goes first, so that neither always runs right after the other.
            if (i % 2 == 0)
            {
                sandboxed.Add(await Run(inSandbox, worktree, command, cancellationToken, sandboxedInner));
                baseline.Add(await Run(outside, worktree, command, cancellationToken, baselineInner));
            }
            else
            {
                baseline.Add(await Run(outside, worktree, command, cancellationToken, baselineInner));
                sandboxed.Add(await Run(inSandbox, worktree, command, cancellationToken, sandboxedInner));
            }
        }

        sandboxed.Sort();
        baseline.Sort();
        var medianSandboxed = BenchmarkSupport.Percentile(sandboxed, 50);
        var medianBaseline = BenchmarkSupport.Percentile(baseline, 50);
        var added = medianSandboxed - medianBaseline;
        var ratio = medianSandboxed / medianBaseline;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name}: {runs} runs each\n" +
            $"  sandboxed   median {medianSandboxed,8:0.0} ms  mean {sandboxed.Average(),8:0.0} ms  p95 {BenchmarkSupport.Percentile(sandboxed, 95),8:0.0} ms\n" +
            $"  unsandboxed median {medianBaseline,8:0.0} ms  mean {baseline.Average(),8:0.0} ms  p95 {BenchmarkSupport.Percentile(baseline, 95),8:0.0} ms\n" +
            $"  added: median {added:0.0} ms, mean {sandboxed.Average() - baseline.Average():0.0} ms per run; ratio {ratio:0.000}x; " +
            $"{Goal(suite, added, ratio)}"));
        if (sandboxedInner.Count > 0 && baselineInner.Count > 0)
        {
            sandboxedInner.Sort();
            baselineInner.Sort();
            var inSandboxInner = BenchmarkSupport.Percentile(sandboxedInner, 50);
            var outsideInner = BenchmarkSupport.Percentile(baselineInner, 50);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  inside Python (unittest's own time): sandboxed median {inSandboxInner:0.0} ms, unsandboxed {outsideInner:0.0} ms, ratio {inSandboxInner / outsideInner:0.000}x"));
        }
    }

    private static string Goal(bool suite, double added, double ratio) => suite
        ? $"goal < 1.1x on the suite: {(ratio < 1.1 ? "met" : "NOT met")}"
        : $"goal < 50 ms added per run: {(added < 50 ? "met" : "NOT met")}";

    private static async Task<double> Run(TestRunner runner, string worktree, string command, CancellationToken cancellationToken, List<double>? inner = null)
    {
        var run = await runner.RunAsync(worktree, command, TimeSpan.FromMinutes(5), false, cancellationToken);
        if (run.Status != TestStatus.Passed)
        {
            throw new InvalidOperationException($"`{command}` did not pass ({run.Status}): {run.OutputTail}");
        }

        // unittest's own account ("Ran 60 tests in 0.412s"): the time inside Python, without start-up and set-up.
        var ran = System.Text.RegularExpressions.Regex.Match(run.OutputTail, @"Ran \d+ tests? in ([0-9.]+)s");
        if (inner is not null && ran.Success)
        {
            inner.Add(double.Parse(ran.Groups[1].Value, CultureInfo.InvariantCulture) * 1000);
        }

        return run.Duration.TotalMilliseconds;
    }

    /// <summary>Six modules of ten tests each: CPU-bound work of the kind a small library's suite does.</summary>
    private static void WriteSuite(string worktree)
    {
        var tests = Directory.CreateDirectory(Path.Combine(worktree, "tests")).FullName;
        File.WriteAllText(Path.Combine(tests, "__init__.py"), "");
        var squares = Enumerable.Range(0, 20000).Sum(i => (long)i * i) % 7;
        for (var module = 0; module < 6; module++)
        {
            var text = new StringBuilder("import hashlib, json, re, unittest\n\n\nclass Suite(unittest.TestCase):\n");
            for (var test = 0; test < 10; test++)
            {
                var items = 2000 + (((module * 10) + test) * 37);
                text.Append(CultureInfo.InvariantCulture, $"    def test_{test}(self):\n")
                    .Append(CultureInfo.InvariantCulture, $"        data = [{{\"id\": i, \"name\": \"item-%d\" % i, \"tags\": [\"a\", \"b\", str(i % 7)]}} for i in range({items})]\n")
                    .Append("        parsed = json.loads(json.dumps(data))\n")
                    .Append("        self.assertEqual(len(parsed), len(data))\n")
                    .Append("        ordered = sorted(parsed, key=lambda d: (d[\"tags\"][2], -d[\"id\"]))\n")
                    .Append("        self.assertTrue(all(re.fullmatch(r\"item-\\d+\", d[\"name\"]) for d in ordered))\n")
                    .Append("        digest = hashlib.sha256(\"\".join(d[\"name\"] for d in ordered).encode()).hexdigest()\n")
                    .Append("        self.assertEqual(len(digest), 64)\n")
                    .Append(CultureInfo.InvariantCulture, $"        self.assertEqual(sum(i * i for i in range(20000)) % 7, {squares})\n\n");
            }

            File.WriteAllText(Path.Combine(tests, $"test_module{module}.py"), text.ToString());
        }
    }
}
