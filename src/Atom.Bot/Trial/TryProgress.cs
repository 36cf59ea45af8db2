using System.Diagnostics;
using Atom.Bot.Telemetry;

namespace Atom.Bot.Trial;

/// <summary>
/// Shows an <c>atom try</c> run as it happens, from the spans Atom records anyway (docs/operations.md): each stage as it
/// starts, each tool call and test run as it ends, and the tokens spent so far. Nothing here changes what Atom does.
/// </summary>
internal sealed class TryProgress : IDisposable
{
    private readonly TextWriter _out;
    private readonly ActivityListener _listener;
    private readonly Lock _lock = new();
    private long _tokensIn;
    private long _tokensOut;

    public TryProgress(TextWriter output)
    {
        _out = output;
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == AtomTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStarted = Started,
            ActivityStopped = Stopped,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public long TokensIn => Interlocked.Read(ref _tokensIn);

    public long TokensOut => Interlocked.Read(ref _tokensOut);

    public void Dispose() => _listener.Dispose();

    private void Started(Activity activity)
    {
        var line = activity.OperationName switch
        {
            "plan" => "planning the issue",
            "assignment" => "working on an assignment",
            "evaluation" => "evaluating: combining the branches, running the tests, asking the auditor",
            "publish" => "writing the certification package",
            "merge" => "merging into the default branch",
            _ => null,
        };
        Write(line);
    }

    private void Stopped(Activity activity)
    {
        var name = activity.OperationName;
        if (name.StartsWith("chat ", StringComparison.Ordinal))
        {
            var tokensIn = Interlocked.Add(ref _tokensIn, Number(activity.GetTagItem(AtomTelemetry.GenAiInputTokens)));
            var tokensOut = Interlocked.Add(ref _tokensOut, Number(activity.GetTagItem(AtomTelemetry.GenAiOutputTokens)));
            Write($"  {name[5..]} answered ({tokensIn:N0} tokens in, {tokensOut:N0} out so far)");
        }
        else if (name.StartsWith("execute_tool ", StringComparison.Ordinal))
        {
            var refused = activity.GetTagItem(AtomTelemetry.Refused) is true or "true";
            Write($"  tool {name[13..]}{(refused ? ": refused" : activity.Status == ActivityStatusCode.Error ? $": {activity.StatusDescription}" : "")}");
        }
        else if (name == "test_run")
        {
            Write($"  tests: {activity.GetTagItem(AtomTelemetry.TestStatus) ?? "run"} (exit {activity.GetTagItem(AtomTelemetry.ExitCode) ?? "?"}, {activity.Duration.TotalSeconds:0.0} s)");
        }
        else if (name == "auditor")
        {
            Write($"  auditor: {activity.GetTagItem(AtomTelemetry.Outcome) ?? "answered"}");
        }
    }

    private static long Number(object? tag) => tag switch
    {
        int i => i,
        long l => l,
        string s when long.TryParse(s, System.Globalization.CultureInfo.InvariantCulture, out var n) => n,
        _ => 0,
    };

    private void Write(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_lock)
        {
            _out.WriteLine(line);
        }
    }
}
