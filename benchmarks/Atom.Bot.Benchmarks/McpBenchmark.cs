using System.Diagnostics;
using System.Globalization;
using Atom.Bot.Configuration;
using Atom.Bot.IntegrationTests.Support;
using Atom.Bot.Llm;
using Atom.Bot.Mcp;
using Atom.Bot.Tasks;
using Atom.Bot.Workers;
using Microsoft.Extensions.Logging.Abstractions;

namespace Atom.Bot.Benchmarks;

/// <summary>
/// What an MCP tool costs a worker, against a real MCP server (the SDK's, Streamable HTTP on loopback, the integration
/// tests' <c>McpTestServer</c>): opening a session at the start of an assignment (initialize and tools/list), one call
/// through the toolbox against one built-in <c>read_file</c> of a small file, and the context it takes: the definition
/// sent with every request, and what the quoting adds to an answer.
/// </summary>
public sealed class McpBenchmark : IBenchmark
{
    private const int Sessions = 20;
    private const int Calls = 200;

    public string Name => "mcp";

    public string Description => "MCP tools: session start, call round trip against read_file, context cost of the definition and the quoting";

    public async Task RunAsync(string[] args, CancellationToken cancellationToken)
    {
        await using var server = await McpTestServer.StartAsync();
        var answer = string.Concat(Enumerable.Range(1, 20).Select(i => $"Line {i} of the documentation of Greeter, some forty characters.\n"));
        server.Lookup = (_, _) => Task.FromResult(answer);
        var options = new AtomOptions
        {
            WebhookSecret = "bench",
            GitHubApiUrl = new Uri("http://127.0.0.1:9/"),
            LlmBaseUrl = new Uri("http://127.0.0.1:9/"),
            LlmModel = "bench",
            LlmConcurrency = 1,
            AuditorBaseUrl = new Uri("http://127.0.0.1:9/"),
            AuditorModel = "bench",
            DataDir = Path.GetTempPath(),
            JobStorage = "memory",
            LlmTimeoutSeconds = 60,
            WorkerMaxSteps = 40,
            MaxAssignments = 4,
            GitAuthorName = "bench",
            GitAuthorEmail = "bench@example.com",
            McpServers = McpServers.Parse($"docs={server.Url}", null, out _)!,
        };
        var gateway = new McpGateway(options, NullLoggerFactory.Instance);
        var audited = 0;

        var open = new List<double>();
        for (var i = 0; i < Sessions; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await using var session = await gateway.OpenAsync(["docs/lookup"], _ => Task.CompletedTask, cancellationToken);
            open.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        var worktree = Directory.CreateTempSubdirectory("atom-bench-mcp-");
        try
        {
            Directory.CreateDirectory(Path.Join(worktree.FullName, "src"));
            await File.WriteAllTextAsync(Path.Join(worktree.FullName, "src", "Greeter.md"), answer, cancellationToken);
            await using var mcp = await gateway.OpenAsync(["docs/lookup"], _ => { audited++; return Task.CompletedTask; }, cancellationToken);
            var toolbox = new WorkerToolbox(
                new ScopeGuard(new Scope(["src/**"], [], 20, 800), worktree.FullName),
                RepoSettings.Defaults,
                new TestRunner([], new TestSandbox(SandboxMode.None, TestSandbox.DefaultBwrapPath, [], SandboxLimits.Default, NullLogger<TestSandbox>.Instance), NullLogger<TestRunner>.Instance),
                NullLogger.Instance,
                mcp: mcp);
            var reads = await TimeAsync(toolbox, "read_file", """{"path":"src/Greeter.md"}""", cancellationToken);
            var lookups = await TimeAsync(toolbox, "mcp_docs_lookup", """{"query":"Greeter"}""", cancellationToken);
            if (audited != Calls + 10)
            {
                throw new InvalidOperationException($"{audited} calls audited, {Calls + 10} made");
            }

            var definition = toolbox.Definitions[^1];
            var definitionChars = definition.FunctionName.Length + definition.FunctionDescription.Length + definition.FunctionParameters.ToString().Length;
            var outcome = await toolbox.InvokeAsync(new LlmToolCall("c", "mcp_docs_lookup", """{"query":"Greeter"}"""), cancellationToken);

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  session start (initialize + tools/list): first (cold) {open[0]:0.0} ms, then median {Median(open.Skip(1).ToList()):0.0} ms, max {open.Skip(1).Max():0.0} ms of {Sessions - 1}"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  read_file (built-in), {Calls} calls: median {Median(reads):0.000} ms, p95 {P95(reads):0.000} ms"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  mcp_docs_lookup, {Calls} calls: median {Median(lookups):0.000} ms, p95 {P95(lookups):0.000} ms ({Median(lookups) / Median(reads):0.0}x read_file)"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  definition of one MCP tool: {definitionChars:N0} characters ≈ {definitionChars / 4:N0} tokens in every request"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  quoting: a {answer.Length:N0}-character answer reaches the model as {outcome.Content.Length:N0} characters (+{outcome.Content.Length - answer.Length:N0})"));
        }
        finally
        {
            worktree.Delete(recursive: true);
        }
    }

    private static async Task<List<double>> TimeAsync(WorkerToolbox toolbox, string tool, string arguments, CancellationToken cancellationToken)
    {
        for (var i = 0; i < 10; i++)
        {
            Check(await toolbox.InvokeAsync(new LlmToolCall("warm", tool, arguments), cancellationToken));
        }

        var times = new List<double>();
        for (var i = 0; i < Calls; i++)
        {
            var started = Stopwatch.GetTimestamp();
            var outcome = await toolbox.InvokeAsync(new LlmToolCall($"c{i}", tool, arguments), cancellationToken);
            times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            Check(outcome);
        }

        return times;
    }

    private static void Check(ToolOutcome outcome)
    {
        if (outcome.IsError)
        {
            throw new InvalidOperationException(outcome.Content);
        }
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    private static double P95(List<double> values) => values.Order().ElementAt((int)(values.Count * 0.95));
}
