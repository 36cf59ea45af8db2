using System.Globalization;
using System.Text;

namespace Atom.Bot.Workers.Tools;

internal sealed class RunTestsTool : WorkerTool
{
    public override string Name => "run_tests";

    public override string Description => "Run the repository's test command in your checkout and see the result and the end of its output.";

    public override string ParametersSchema => """{"type":"object","properties":{},"additionalProperties":false}""";

    public override async Task<ToolOutcome> InvokeAsync(ToolArguments arguments, ToolContext context, CancellationToken cancellationToken)
    {
        var run = await context.Tests.RunAsync(context.Guard.WorktreeRoot, context.Settings, cancellationToken);
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
        if (run.Counts is { } counts)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"Counts: {counts.Total} total, {counts.Passed} passed, {counts.Failed} failed, {counts.Skipped} skipped.");
        }

        text.AppendLine("Output:").Append(run.OutputTail);
        return ToolOutcome.Tested(run, text.ToString());
    }
}
