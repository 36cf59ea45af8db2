using System.Text.Json;
using Atom.Bot.Configuration;
using Atom.Bot.Llm;
using Atom.Bot.Mcp;
using Atom.Bot.Tasks;
using Atom.Bot.Telemetry;
using Atom.Bot.Workers.Tools;
using Microsoft.Extensions.Logging;
using OpenAI.Chat;

namespace Atom.Bot.Workers;

/// <summary>
/// The tools of one assignment (docs/scope.md: list_files, read_file, search_code, edit_file, write_file, delete_file, run_tests,
/// finish, then the MCP tools the repository allows and its servers have), every path checked by the <see cref="ScopeGuard"/> and every change by the cumulative limits before any
/// I/O. Whatever the model sends, the answer is a <see cref="ToolOutcome"/>: bad calls are tool errors it can read,
/// never exceptions. One instance per assignment; calls are sequential (not thread-safe). Each tool is one
/// <see cref="WorkerTool"/> in <c>Workers/Tools/</c>; <see cref="Tools"/> is the only list of them.
/// </summary>
public sealed class WorkerToolbox
{
    /// <inheritdoc cref="ReadFileTool.MaxBytes"/>
    public const int MaxReadBytes = ReadFileTool.MaxBytes;

    /// <inheritdoc cref="WriteFileTool.MaxBytes"/>
    public const int MaxWriteBytes = WriteFileTool.MaxBytes;

    /// <inheritdoc cref="ToolContext.MaxChangeableFileBytes"/>
    public const int MaxChangeableFileBytes = ToolContext.MaxChangeableFileBytes;

    /// <inheritdoc cref="ListFilesTool.MaxFiles"/>
    public const int MaxListedFiles = ListFilesTool.MaxFiles;

    /// <inheritdoc cref="SearchCodeTool.MaxMatches"/>
    public const int MaxSearchMatches = SearchCodeTool.MaxMatches;

    public const int MaxSearchLineChars = SearchCodeTool.MaxLineChars;

    /// <inheritdoc cref="SearchCodeTool.MaxFileBytes"/>
    public const int MaxSearchFileBytes = SearchCodeTool.MaxFileBytes;

    /// <inheritdoc cref="SearchCodeTool.MaxTotalBytes"/>
    public const long MaxSearchTotalBytes = SearchCodeTool.MaxTotalBytes;

    /// <inheritdoc cref="FinishTool.MaxSummaryChars"/>
    public const int MaxSummaryChars = FinishTool.MaxSummaryChars;

    /// <summary>The built-in tools in the order the model is offered them, exactly the tools docs/scope.md lists before the MCP tools.</summary>
    internal static IReadOnlyList<WorkerTool> Tools { get; } =
    [
        new ListFilesTool(),
        new ReadFileTool(),
        new SearchCodeTool(),
        new EditFileTool(),
        new WriteFileTool(),
        new DeleteFileTool(),
        new RunTestsTool(),
        new FinishTool(),
    ];

    private readonly ToolContext _context;
    private readonly IReadOnlyList<WorkerTool> _tools;
    private readonly AtomMetrics? _metrics;
    private readonly List<ScopeViolation> _refusals = [];
    private readonly List<string> _toolErrors = [];

    /// <param name="guard">The assignment's scope over its worktree (<see cref="ScopeGuard.WorktreeRoot"/>).</param>
    /// <param name="settings">The default branch's settings: <c>test_command</c> and <c>test_timeout_seconds</c>.</param>
    /// <param name="tests">Runs the test command without Atom's secrets.</param>
    /// <param name="metrics">Where tool calls and refusals are counted (none: not counted).</param>
    /// <param name="mcp">The assignment's MCP session: its tools are offered after the built-in ones (none: no MCP tools).</param>
    public WorkerToolbox(ScopeGuard guard, RepoSettings settings, TestRunner tests, ILogger logger, AtomMetrics? metrics = null, McpSession? mcp = null)
    {
        _metrics = metrics;
        ArgumentNullException.ThrowIfNull(guard);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(tests);
        ArgumentNullException.ThrowIfNull(logger);
        _context = new ToolContext(guard, settings, tests, logger);
        var session = mcp ?? McpSession.None;
        var remote = session.Tools.Select(t => new McpTool(session, t)).ToList();
        _tools = [.. Tools, .. remote];
        Definitions = [.. BuiltInDefinitions, .. remote.Select(t => ChatTool.CreateFunctionTool(t.Name, t.Description, BinaryData.FromString(t.ParametersSchema), functionSchemaIsStrict: false))];
    }

    /// <summary>The built-in tool definitions, exactly the tools docs/scope.md lists before the MCP tools.</summary>
    public static IReadOnlyList<ChatTool> BuiltInDefinitions { get; } =
        [.. Tools.Select(t => ChatTool.CreateFunctionTool(t.Name, t.Description, BinaryData.FromString(t.ParametersSchema)))];

    /// <summary>The tool definitions this assignment offers the model: the built-in tools, then its MCP tools.</summary>
    public IReadOnlyList<ChatTool> Definitions { get; }

    /// <summary>Every refusal so far, in order.</summary>
    public IReadOnlyList<ScopeViolation> Refusals => _refusals;

    /// <summary>
    /// Tool calls that failed for a reason other than a refusal or a missing file, as <c>tool:failure</c> keys
    /// (<c>unknown:&lt;name&gt;</c> for a tool that does not exist): the evidence of a tooling gap.
    /// </summary>
    public IReadOnlyList<string> ToolErrors => _toolErrors;

    /// <summary>Files that now differ from how they were at the start, sorted.</summary>
    public IReadOnlyList<string> ChangedFiles => _context.Ledger.ChangedFiles;

    public int LinesAdded => _context.Ledger.LinesAdded;

    public int LinesRemoved => _context.Ledger.LinesRemoved;

    public IReadOnlyList<TestRun> TestRuns => _context.TestRuns;

    /// <summary>Runs one tool call of the model; refusals are recorded in <see cref="Refusals"/>. Throws only when cancelled.</summary>
    public async Task<ToolOutcome> InvokeAsync(LlmToolCall call, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        // A name the model made up is not a tool: as a tag it would be unbounded.
        var known = _tools.Any(t => t.Name == call.Name) ? call.Name : "unknown";
        using var activity = AtomTelemetry.Start($"execute_tool {known}");
        activity?.SetTag(AtomTelemetry.GenAiOperation, "execute_tool");
        activity?.SetTag(AtomTelemetry.GenAiToolName, known);
        var outcome = await Dispatch(call, cancellationToken);
        var result = outcome.Refusal is not null ? "refused" : outcome.Failure is { } failed ? failed.ToString().ToLowerInvariant() : "ok";
        activity?.SetTag(AtomTelemetry.Refused, outcome.Refusal is not null);
        activity?.SetTag(AtomTelemetry.Outcome, result);
        if (outcome.Failure is not null)
        {
            activity.Fail(result);
        }

        _metrics?.ToolCallCount.Add(1, new KeyValuePair<string, object?>("tool", known), new KeyValuePair<string, object?>("outcome", result));
        var tool = Shorten(call.Name);
        if (outcome.Refusal is not null)
        {
            _metrics?.ToolRefusalCount.Add(1, new KeyValuePair<string, object?>("tool", known));
            _refusals.Add(outcome.Refusal);
            Log.ToolRefused(_context.Logger, tool, outcome.Refusal.Path, outcome.Refusal.Reason);
        }
        else if (outcome.Failure is { } failure)
        {
            Log.ToolFailed(_context.Logger, tool, failure);
            if (failure is ToolFailure.UnknownTool or ToolFailure.InvalidArguments or ToolFailure.IoError)
            {
                _toolErrors.Add(failure == ToolFailure.UnknownTool ? $"unknown:{tool}" : $"{tool}:{failure}");
            }
        }
        else if (outcome.TestRun is { Status: TestStatus.TimedOut or TestStatus.CouldNotStart or TestStatus.NoSandbox } run)
        {
            // The tool answered, but the test command did not run to its end: a tooling signal like an I/O error.
            _toolErrors.Add($"{tool}:{run.Status}");
        }

        return outcome;
    }

    private async Task<ToolOutcome> Dispatch(LlmToolCall call, CancellationToken cancellationToken)
    {
        var tool = _tools.FirstOrDefault(t => t.Name == call.Name);
        if (tool is null)
        {
            return ToolOutcome.Error(ToolFailure.UnknownTool,
                $"there is no tool named '{Shorten(call.Name)}'. The tools are: {string.Join(", ", _tools.Select(t => t.Name))}.");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(string.IsNullOrWhiteSpace(call.ArgumentsJson) ? "{}" : call.ArgumentsJson);
        }
        catch (JsonException e)
        {
            return ToolOutcome.Error(ToolFailure.InvalidArguments, $"the arguments of {call.Name} are not valid JSON ({e.Message}). Send one JSON object, e.g. {tool.Example}.");
        }

        using (document)
        {
            var args = document.RootElement;
            if (args.ValueKind != JsonValueKind.Object)
            {
                return ToolOutcome.Error(ToolFailure.InvalidArguments, $"the arguments of {call.Name} must be a JSON object, e.g. {tool.Example}.");
            }

            try
            {
                return await tool.InvokeAsync(new ToolArguments(args, tool), _context, cancellationToken);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                var root = _context.Guard.WorktreeRoot;
                return ToolOutcome.Error(ToolFailure.IoError, $"{call.Name} failed: {e.Message.Replace(root + "/", "", StringComparison.Ordinal).Replace(root, ".", StringComparison.Ordinal)}");
            }
        }
    }

    private static string Shorten(string? name) => ScopeViolation.Escape(name ?? "", 100);
}
