using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Atom.Bot.Configuration;

namespace Atom.Bot.Benchmarks;

/// <summary>Small helpers shared by the benchmarks: locating fixtures, free ports, percentiles.</summary>
public static class BenchmarkSupport
{
    public static string FixturesDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "fixtures");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException("tests/fixtures not found above " + AppContext.BaseDirectory);
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static double Percentile(IReadOnlyList<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p / 100 * sorted.Count) - 1)];

    /// <summary>The 1, 5 and 15 minute load averages (Linux), to judge how busy the shared machine was.</summary>
    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    public static double Milliseconds(long startTimestamp, long endTimestamp) =>
        (endTimestamp - startTimestamp) * 1000.0 / Stopwatch.Frequency;

    /// <summary>
    /// Options for a benchmark that builds one component by hand: no real GitHub (port 9 answers nothing), the LLM at
    /// <paramref name="llmBaseUrl"/> if given.
    /// </summary>
    public static AtomOptions Options(string dataDir, Uri? llmBaseUrl = null, int llmConcurrency = 1) => new()
    {
        WebhookSecret = "benchmark",
        GitHubApiUrl = new Uri("http://127.0.0.1:9/"),
        LlmBaseUrl = llmBaseUrl ?? new Uri("http://127.0.0.1:9/v1"),
        LlmModel = "benchmark-model",
        LlmConcurrency = llmConcurrency,
        AuditorBaseUrl = llmBaseUrl ?? new Uri("http://127.0.0.1:9/v1"),
        AuditorModel = "benchmark-model",
        DataDir = dataDir,
        JobStorage = "memory",
        LlmTimeoutSeconds = 120,
        WorkerMaxSteps = 40,
        MaxAssignments = 4,
        GitAuthorName = "atom-bot",
        GitAuthorEmail = "atom-bot@users.noreply.example",
    };

    /// <summary>The whole number at <paramref name="position"/> among the arguments that are not flags (<c>--name</c>), else <paramref name="fallback"/>.</summary>
    public static int Positional(string[] args, int position, int fallback)
    {
        var values = args.Where(a => !a.StartsWith("--", StringComparison.Ordinal)).ToList();
        return position < values.Count ? int.Parse(values[position], CultureInfo.InvariantCulture) : fallback;
    }

    /// <summary>The positive whole number after <paramref name="name"/> in <paramref name="args"/>, else <paramref name="fallback"/>.</summary>
    public static int Option(string[] args, string name, int fallback)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length && int.TryParse(args[index + 1], CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : fallback;
    }
}
