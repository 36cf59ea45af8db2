using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using Atom.Bot.Configuration;
using Atom.Bot.Mcp;
using Atom.Bot.Workers;
using Atom.Bot.Workers.Tools;

namespace Atom.Bot.Tests.Workers;

/// <summary>
/// The tool tables of the documentation cannot drift from the tool classes: they list exactly the tools the model is
/// offered, in that order, then the MCP tools (<c>mcp_&lt;server&gt;_&lt;tool&gt;</c>, one row for all), every number in a tool's row is one of the limits that tool's code uses, and every limit a
/// tool class declares is stated in its rows.
/// </summary>
public sealed partial class WorkerToolDocumentationTests
{
    /// <summary>The row that stands for every MCP tool a repository may allow.</summary>
    private const string McpRow = "mcp_<server>_<tool>";

    /// <summary>The pages with a table whose first column is <c>tool</c>, one row per worker tool.</summary>
    private static readonly string[] ToolTables = ["docs/scope.md", "docs/workflow.md"];

    /// <summary>Limits a tool's rows may state that live outside its class, because the tool shares them.</summary>
    private static readonly Dictionary<string, long[]> SharedLimits = new(StringComparer.Ordinal)
    {
        ["read_file"] = [WorktreeFiles.BinaryProbeBytes],
        ["search_code"] = [WorktreeFiles.BinaryProbeBytes],
        ["edit_file"] = [WriteFileTool.MaxBytes, ToolContext.MaxChangeableFileBytes],
        ["write_file"] = [ToolContext.MaxChangeableFileBytes],
        ["delete_file"] = [ToolContext.MaxChangeableFileBytes],
        ["run_tests"] = [TestRunner.OutputTailBytes],
        [McpRow] = [McpGateway.MaxSchemaBytes, McpGateway.MaxDescriptionChars, McpToolReference.MaxOfferedNameLength],
    };

    /// <summary>Every row of a tool table, in order: the built-in tools, then the MCP tools.</summary>
    private static readonly string[] Rows = [.. WorkerToolbox.BuiltInDefinitions.Select(d => d.FunctionName), McpRow];

    public static TheoryData<string> Pages => new(ToolTables);

    public static TheoryData<string> ToolNames => new(Rows);

    [Theory]
    [MemberData(nameof(Pages))]
    public void The_tool_table_lists_exactly_the_offered_tools_in_order(string page) =>
        ToolRows(page).Keys.ToArray().ShouldBe(Rows, $"{page}: the worker tools");

    [Fact]
    public void The_security_page_names_exactly_the_offered_tools()
    {
        var line = string.Join(' ', Read("docs/security.md").Split('\n').Select(l => l.Trim()))
            .Split("and its tools", 2)[1].Split('.')[0];
        ToolName().Matches(line).Select(m => m.Groups[1].Value)
            .ShouldBe(Rows, "docs/security.md: the worker tools");
    }

    [Theory]
    [MemberData(nameof(ToolNames))]
    public void Every_number_documented_for_a_tool_is_one_of_its_limits(string name)
    {
        var limits = Limits(name).Concat(SharedLimits.GetValueOrDefault(name, [])).ToHashSet();
        foreach (var page in ToolTables)
        {
            var row = ToolRows(page)[name];
            foreach (var (text, value) in Numbers(row))
            {
                limits.ShouldContain(value, $"{page}: '{text}' in the row of {name} ({row}) is none of the tool's limits {string.Join(", ", limits)}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(ToolNames))]
    public void Every_limit_of_a_tool_is_documented(string name)
    {
        var documented = ToolTables.SelectMany(page => Numbers(ToolRows(page)[name])).Select(n => n.Value).ToHashSet();
        foreach (var limit in Limits(name))
        {
            documented.ShouldContain(limit, $"{name}'s limit {limit} is in none of {string.Join(", ", ToolTables)}");
        }
    }

    [Fact]
    public void The_toolbox_constants_are_the_tools_limits()
    {
        WorkerToolbox.MaxListedFiles.ShouldBe(ListFilesTool.MaxFiles);
        WorkerToolbox.MaxReadBytes.ShouldBe(ReadFileTool.MaxBytes);
        WorkerToolbox.MaxWriteBytes.ShouldBe(WriteFileTool.MaxBytes);
        WorkerToolbox.MaxSearchMatches.ShouldBe(SearchCodeTool.MaxMatches);
        WorkerToolbox.MaxSearchLineChars.ShouldBe(SearchCodeTool.MaxLineChars);
        WorkerToolbox.MaxSearchFileBytes.ShouldBe(SearchCodeTool.MaxFileBytes);
        WorkerToolbox.MaxSearchTotalBytes.ShouldBe(SearchCodeTool.MaxTotalBytes);
        WorkerToolbox.MaxSummaryChars.ShouldBe(FinishTool.MaxSummaryChars);
    }

    /// <summary>The public constants of the tool's class: the limits it declares as its own.</summary>
    private static IEnumerable<long> Limits(string name) =>
        (name == McpRow ? typeof(McpTool) : WorkerToolbox.Tools.Single(t => t.Name == name).GetType())
            .GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && (f.FieldType == typeof(int) || f.FieldType == typeof(long)))
            .Select(f => Convert.ToInt64(f.GetRawConstantValue(), CultureInfo.InvariantCulture));

    /// <summary>Each number in <paramref name="text"/> as written and as a value, KiB and MiB as bytes.</summary>
    private static IEnumerable<(string Text, long Value)> Numbers(string text) =>
        Number().Matches(text).Select(m => (m.Value, long.Parse(m.Groups["n"].Value.Replace(",", "", StringComparison.Ordinal), CultureInfo.InvariantCulture)
            * m.Groups["unit"].Value switch { "KiB" => 1024L, "MiB" => 1024L * 1024, _ => 1L }));

    /// <summary>Tool name to the rest of its row (the cells after the first), in the order of the page's tool table.</summary>
    private static Dictionary<string, string> ToolRows(string page)
    {
        var lines = Read(page).Split('\n');
        var header = Array.FindIndex(lines, l => l.StartsWith('|') && Cells(l)[0] == "tool");
        header.ShouldBeGreaterThanOrEqualTo(0, $"{page} has no table whose first column is 'tool'");
        var rows = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in lines.Skip(header + 2).TakeWhile(l => l.StartsWith('|')))
        {
            var cells = Cells(line);
            var name = ToolName().Match(cells[0]);
            name.Success.ShouldBeTrue($"{page}: '{cells[0]}' does not name a tool");
            rows.Add(name.Groups[1].Value, string.Join(" | ", cells.Skip(1)));
        }

        return rows;
    }

    private static string[] Cells(string line) =>
        line.Trim().Trim('|').Split('|').Select(c => c.Trim()).ToArray();

    private static string Read(string relativePath) => RepositoryFiles.Read(relativePath);

    [GeneratedRegex(@"`(mcp_<server>_<tool>|[a-z_]+)(?:\([^`]*\))?`")]
    private static partial Regex ToolName();

    [GeneratedRegex(@"\b(?<n>\d{1,3}(?:,\d{3})+|\d+)(?:\s*(?<unit>KiB|MiB))?\b")]
    private static partial Regex Number();
}
