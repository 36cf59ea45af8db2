using System.Globalization;
using System.Text.Json;
using Atom.Bot.Configuration;
using Atom.Bot.Llm;
using Atom.Bot.Tasks;
using Atom.Bot.Workers;
using Microsoft.Extensions.Logging.Abstractions;

namespace Atom.Bot.Benchmarks;

/// <summary>
/// What one small change to a 2,000-line file costs the model's context, through the real tools: the whole-file way
/// (read every window, then write_file with the whole new content) against the precise way (search_code for the place,
/// read_file of a window around it, edit_file). Tokens are estimated as characters / 4 of every tool call's arguments
/// and every result, which is what the conversation carries; both ways end with the same file on disk.
/// </summary>
public sealed class EditBenchmark : IBenchmark
{
    private const int Lines = 2000;
    private const int Target = 1500;

    public string Name => "edits";

    public string Description => "context cost of one change to a 2,000-line file: edit_file vs write_file";

    public async Task RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var worktree = Directory.CreateTempSubdirectory("atom-bench-edits-");
        try
        {
            var original = string.Concat(Enumerable.Range(1, Lines).Select(i => $"    public static int Value{i}() => {i}; // generated line {i}\n"));
            var path = Path.Join(worktree.FullName, "src", "Values.cs");
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);

            await File.WriteAllTextAsync(path, original, cancellationToken);
            var whole = await WholeFileAsync(worktree.FullName, cancellationToken);
            var wholeResult = await File.ReadAllTextAsync(path, cancellationToken);

            await File.WriteAllTextAsync(path, original, cancellationToken);
            var precise = await PreciseAsync(worktree.FullName, cancellationToken);
            var preciseResult = await File.ReadAllTextAsync(path, cancellationToken);

            if (wholeResult != preciseResult || wholeResult == original)
            {
                throw new InvalidOperationException("the two ways did not make the same change");
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  write_file way: {whole.Calls} calls, {whole.Characters:N0} characters ≈ {whole.Characters / 4:N0} tokens"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  edit_file way:  {precise.Calls} calls, {precise.Characters:N0} characters ≈ {precise.Characters / 4:N0} tokens"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  edit_file / write_file: {(double)precise.Characters / whole.Characters:0.000} of the context ({(double)whole.Characters / precise.Characters:0.0}x less)"));
        }
        finally
        {
            worktree.Delete(recursive: true);
        }
    }

    private static async Task<(int Calls, long Characters)> WholeFileAsync(string worktree, CancellationToken cancellationToken)
    {
        var toolbox = Toolbox(worktree);
        var calls = 0;
        var characters = 0L;
        var content = new System.Text.StringBuilder();
        for (var start = 1; start <= Lines; start += 400)
        {
            var read = await CallAsync(toolbox, "read_file", new { path = "src/Values.cs", start_line = start }, cancellationToken);
            calls++;
            characters += read.Characters;
            foreach (var line in read.Content.Split('\n').Where(l => l.Length > 0 && char.IsDigit(l[0])))
            {
                content.Append(line[(line.IndexOf('\t', StringComparison.Ordinal) + 1)..]).Append('\n');
            }
        }

        var changed = content.ToString().Replace($"Value{Target}() => {Target};", $"Value{Target}() => {Target + 1};", StringComparison.Ordinal);
        var write = await CallAsync(toolbox, "write_file", new { path = "src/Values.cs", content = changed }, cancellationToken);
        return (calls + 1, characters + write.Characters);
    }

    private static async Task<(int Calls, long Characters)> PreciseAsync(string worktree, CancellationToken cancellationToken)
    {
        var toolbox = Toolbox(worktree);
        var search = await CallAsync(toolbox, "search_code", new { query = $"Value{Target}()" }, cancellationToken);
        var read = await CallAsync(toolbox, "read_file", new { path = "src/Values.cs", start_line = Target - 10, end_line = Target + 10 }, cancellationToken);
        var edit = await CallAsync(toolbox, "edit_file", new { path = "src/Values.cs", old_text = $"Value{Target}() => {Target};", new_text = $"Value{Target}() => {Target + 1};" }, cancellationToken);
        if (edit.Content.StartsWith("Error", StringComparison.Ordinal))
        {
            throw new InvalidOperationException(edit.Content);
        }

        return (3, search.Characters + read.Characters + edit.Characters);
    }

    private static WorkerToolbox Toolbox(string worktree) => new(
        new ScopeGuard(new Scope(["src/**"], [], 20, 800), worktree),
        RepoSettings.Defaults,
        new TestRunner([], new TestSandbox(SandboxMode.None, TestSandbox.DefaultBwrapPath, [], SandboxLimits.Default, NullLogger<TestSandbox>.Instance), NullLogger<TestRunner>.Instance),
        NullLogger.Instance);

    private static async Task<(string Content, long Characters)> CallAsync(WorkerToolbox toolbox, string tool, object arguments, CancellationToken cancellationToken)
    {
        var json = JsonSerializer.Serialize(arguments);
        var outcome = await toolbox.InvokeAsync(new LlmToolCall("call_1", tool, json), cancellationToken);
        return (outcome.Content, json.Length + tool.Length + outcome.Content.Length);
    }
}
