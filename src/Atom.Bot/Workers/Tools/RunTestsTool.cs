using System.Globalization;
using System.Text;

namespace Atom.Bot.Workers.Tools;

internal sealed class RunTestsTool : WorkerTool
{
    public override string Name => "run_tests";

    /// <summary>A filter is one line of at most this many characters.</summary>
    public const int MaxFilterChars = 200;

    public override string Description => string.Create(CultureInfo.InvariantCulture,
        $"Run the repository's test command in your checkout and see the result and the end of its output. filter (optional, at most {MaxFilterChars} characters) runs only the matching tests when the repository says how (test_filter_arg); otherwise all tests run.");

    public override string ParametersSchema => """{"type":"object","properties":{"filter":{"type":"string","description":"Only the tests matching this (as the repository's test tool reads it, e.g. a test name). Optional."}},"additionalProperties":false}""";

    public override string Example => """{"filter": "test_greeting"}""";

    public override async Task<ToolOutcome> InvokeAsync(ToolArguments arguments, ToolContext context, CancellationToken cancellationToken)
    {
        if (arguments.Optional("filter", out var filter) is { } error)
        {
            return error;
        }

        if (filter is not null && (filter.Length > MaxFilterChars || filter.Any(char.IsControl)))
        {
            return ToolOutcome.Error(ToolFailure.InvalidArguments, $"the filter must be one line of at most {MaxFilterChars} characters.");
        }

        var filtered = !string.IsNullOrWhiteSpace(filter) && context.Settings.TestFilterArg is not null;
        var run = filtered
            ? await context.Tests.RunFilteredAsync(context.Guard.WorktreeRoot, context.Settings, filter!, cancellationToken)
            : await context.Tests.RunAsync(context.Guard.WorktreeRoot, context.Settings, cancellationToken);
        context.TestRuns.Add(run);
        var seconds = run.Duration.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture);
        var verdict = run.Status switch
        {
            TestStatus.NotConfigured or TestStatus.CouldNotStart => run.OutputTail,
            TestStatus.NoSandbox => $"The tests were NOT run: Atom runs test commands only inside its sandbox, and the sandbox is unavailable on this server ({run.OutputTail}). This is not a problem with your change and you cannot fix it; do not call run_tests again. Finish your work; the package will say the tests did not run.",
            TestStatus.Passed => $"Tests passed (exit code 0, {seconds} s).",
            TestStatus.Failed => $"Tests failed (exit code {run.ExitCode}, {seconds} s).",
            _ => $"Tests did not finish within {context.Settings.TestTimeoutSeconds} s; the test command and everything it started were stopped.",
        };
        if (run.Status is TestStatus.NotConfigured or TestStatus.CouldNotStart or TestStatus.NoSandbox)
        {
            return ToolOutcome.Tested(run, verdict);
        }

        var text = new StringBuilder(verdict).AppendLine();
        if (!string.IsNullOrWhiteSpace(filter))
        {
            text.AppendLine(filtered
                ? $"Only the tests matching the filter ran; run_tests without a filter runs them all."
                : "The filter was ignored: this repository defines no test_filter_arg, so all tests ran.");
        }

        if (run.Counts is { } counts)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"Counts: {counts.Total} total, {counts.Passed} passed, {counts.Failed} failed, {counts.Skipped} skipped.");
        }

        text.AppendLine("Output:").Append(run.OutputTail);
        return ToolOutcome.Tested(run, text.ToString());
    }
}
