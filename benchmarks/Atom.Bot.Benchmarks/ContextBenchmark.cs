using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Atom.Bot.Configuration;
using Atom.Bot.Llm;
using Atom.Bot.Tasks;
using Atom.Bot.Workers;
using Microsoft.Extensions.Logging.Abstractions;
using WireMock;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Settings;
using WireMock.Types;
using WireMock.Util;

namespace Atom.Bot.Benchmarks;

/// <summary>
/// Whether a worker's conversation stays within <c>ATOM_LLM_CONTEXT_TOKENS</c> over a whole 40-step run: the real
/// <see cref="AgentLoop"/> (and so the real <see cref="ContextKeeper"/>), the real tools over eight 1,500-line files,
/// and a scripted model that searches, reads windows and edits, the same 40 calls whatever it is sent. Each request's
/// messages are measured at the model's side with the keeper's own estimate (characters / 4 of every message text and
/// tool call), at 8,192 and 32,768 tokens and once without the keeper (a context too large to reach).
/// </summary>
public sealed class ContextBenchmark : IBenchmark
{
    private const int Steps = 40;
    private const int Files = 8;
    private const int LinesPerFile = 1500;
    private const string SystemPrompt = "You are one of Atom's workers. Change the repository with the tools to complete the assignment, within its scope. "
        + "Search before you read, read windows of long files rather than whole files, change files with edit_file, and call finish(summary) when done.";

    private const string UserPrompt = "Assignment: every value function whose number is a multiple of 100 must return one more than its number; "
        + "check the neighbouring functions for the same pattern.";

    public string Name => "context";

    public string Description => "a 40-step worker run (searches, window reads, edits): tokens sent per step against ATOM_LLM_CONTEXT_TOKENS 8192 and 32768, and without the keeper";

    public async Task RunAsync(string[] args, CancellationToken cancellationToken)
    {
        int[] budgets = [8192, 32768];
        var runs = new List<Run>();
        foreach (var budget in budgets)
        {
            runs.Add(await RunOnceAsync(budget, cancellationToken));
        }

        var unkept = await RunOnceAsync(int.MaxValue, cancellationToken);

        Console.WriteLine("  tokens sent with the request for step n (its messages, characters / 4: the results of steps 1..n-1), and the tool step n called");
        Console.WriteLine($"  {"step",4}  {"tool",-12} {"8192",8} {"32768",8} {"no keeper",10}");
        for (var i = 0; i < Steps; i++)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {i + 1,4}  {Script(i).Tool,-12} {runs[0].Sent[i],8:N0} {runs[1].Sent[i],8:N0} {unkept.Sent[i],10:N0}"));
        }

        Console.WriteLine();
        foreach (var run in runs)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  ATOM_LLM_CONTEXT_TOKENS={run.Budget}: max sent {run.Sent.Max():N0} tokens = {(double)run.Sent.Max() / run.Budget:0.000} of the budget "
                + $"(high-water mark {ContextKeeper.HighWater:0.00}); {run.Elided} result(s) elided; {run.Over} request(s) over the budget; "
                + $"with the tool definitions {(double)(run.Sent.Max() + run.ToolDefinitions) / run.Budget:0.000}; "
                + $"total sent {run.Sent.Sum():N0} tokens = {(double)run.Sent.Sum() / unkept.Sent.Sum():0.000} of the run without the keeper"));
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  without the keeper: max sent {unkept.Sent.Max():N0} tokens ({(double)unkept.Sent.Max() / budgets[0]:0.00}x 8192, {(double)unkept.Sent.Max() / budgets[1]:0.00}x 32768), total {unkept.Sent.Sum():N0}; every run finished after {Steps} steps with the same {Steps / 4} edits on disk"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  not in the columns (the keeper counts them): the {WorkerToolbox.BuiltInDefinitions.Count} tool definitions sent with every request, {unkept.ToolDefinitions:N0} tokens by the same estimate"));
    }

    private static async Task<Run> RunOnceAsync(int contextTokens, CancellationToken cancellationToken)
    {
        var worktree = Directory.CreateTempSubdirectory("atom-bench-context-");
        var sent = new List<long>();
        var toolDefinitions = 0L;
        using var server = WireMockServer.Start(new WireMockServerSettings { Urls = [$"http://127.0.0.1:{BenchmarkSupport.FreePort()}"], StartAdminInterface = false });
        server.Given(Request.Create().UsingPost().WithPath("/v1/chat/completions")).RespondWith(Response.Create().WithCallback(request =>
        {
            var body = JsonNode.Parse(request.Body ?? "{}")!;
            var messages = body["messages"]!.AsArray();
            var step = messages.Count(m => m?["role"]?.GetValue<string>() == "tool");
            lock (sent)
            {
                sent.Add(messages.Sum(m => Characters(m!)) / ContextKeeper.CharactersPerToken);
                toolDefinitions = (body["tools"]?.ToJsonString().Length ?? 0) / ContextKeeper.CharactersPerToken;
            }

            return Reply(step);
        }));

        try
        {
            for (var k = 0; k < Files; k++)
            {
                Directory.CreateDirectory(Path.Join(worktree.FullName, "src"));
                await File.WriteAllTextAsync(Path.Join(worktree.FullName, "src", $"Module{k}.cs"), Content(k), cancellationToken);
            }

            var options = BenchmarkSupport.Options(Path.Combine(Path.GetTempPath(), "atom-benchmark-unused"), new Uri($"{server.Urls[0]}/v1"));
            using var pool = new LlmPool(LlmOptions.From(options), Redactor.For(options), TimeProvider.System, NullLogger<LlmPool>.Instance);
            var loop = new AgentLoop(pool, TimeProvider.System, NullLogger<AgentLoop>.Instance);
            var run = await loop.RunAsync(null, SystemPrompt, UserPrompt, Toolbox(worktree.FullName), new AgentLimits(Steps, TimeSpan.FromMinutes(10), contextTokens),
                _ => Task.CompletedTask, _ => Task.FromResult(true), _ => Task.FromResult<BudgetStop?>(null), cancellationToken);
            if (run.Stop != AgentStop.Finished || run.Steps != Steps || sent.Count != Steps)
            {
                throw new InvalidOperationException($"the run ended {run.Stop} after {run.Steps} steps and {sent.Count} requests: {run.Error ?? run.Summary}");
            }

            for (var group = 0; group < Steps / 4; group++)
            {
                var (file, line) = Target(group);
                var text = await File.ReadAllTextAsync(Path.Join(worktree.FullName, "src", $"Module{file}.cs"), cancellationToken);
                if (!text.Contains($"F{file}Value{line}() => {line + 1};", StringComparison.Ordinal))
                {
                    throw new InvalidOperationException($"the edit of group {group} is not on disk: a tool call failed");
                }
            }

            return new Run(contextTokens, sent, run.ElidedResults, sent.Count(s => s > contextTokens), toolDefinitions);
        }
        finally
        {
            server.Stop();
            worktree.Delete(recursive: true);
        }
    }

    /// <summary>Ten groups of four: find a value function, read a window around it, edit it, then read on or search wider.</summary>
    private static (string Tool, object Arguments) Script(int step)
    {
        var group = step / 4;
        var (file, line) = Target(group);
        var path = $"src/Module{file}.cs";
        return (step, step % 4) switch
        {
            (Steps - 1, _) => ("finish", new { summary = "Changed the ten value functions." }),
            (_, 0) => ("search_code", new { query = $"F{file}Value{line}()" }),
            (_, 1) => ("read_file", new { path, start_line = line - 60, end_line = line + 60 }),
            (_, 2) => ("edit_file", new { path, old_text = $"F{file}Value{line}() => {line};", new_text = $"F{file}Value{line}() => {line + 1};" }),
            _ when group % 2 == 0 => ("read_file", new { path, start_line = line + 61, end_line = line + 260 }),
            _ => ("search_code", new { query = $"generated line {line / 100}", path_glob = "src/**" }),
        };
    }

    private static (int File, int Line) Target(int group) => (group % Files, 100 * (2 + group));

    private static string Content(int file)
    {
        var text = new StringBuilder();
        text.Append("namespace Generated;\n\npublic static class Module").Append(file).Append("\n{\n");
        for (var i = 1; i <= LinesPerFile - 5; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"    public static int F{file}Value{i}() => {i}; // generated line {i} of module {file}\n");
        }

        return text.Append("}\n").ToString();
    }

    /// <summary>The keeper's measure of a message, from the wire: its text, and its tool calls' names and arguments.</summary>
    private static long Characters(JsonNode message)
    {
        var content = message["content"];
        long count = content switch
        {
            JsonValue value when value.TryGetValue<string>(out var text) => text.Length,
            JsonArray parts => parts.Sum(p => (long)(p?["text"]?.GetValue<string>().Length ?? 0)),
            _ => 0,
        };
        foreach (var call in message["tool_calls"]?.AsArray() ?? [])
        {
            count += (call?["function"]?["name"]?.GetValue<string>().Length ?? 0) + (call?["function"]?["arguments"]?.GetValue<string>().Length ?? 0);
        }

        return count;
    }

    private static ResponseMessage Reply(int step)
    {
        var (tool, arguments) = Script(Math.Min(step, Steps - 1));
        var message = new JsonObject
        {
            ["role"] = "assistant",
            ["content"] = null,
            ["tool_calls"] = new JsonArray(new JsonObject
            {
                ["id"] = $"call_{step + 1}",
                ["type"] = "function",
                ["function"] = new JsonObject { ["name"] = tool, ["arguments"] = JsonSerializer.Serialize(arguments) },
            }),
        };
        var body = new JsonObject
        {
            ["id"] = "chatcmpl-context",
            ["object"] = "chat.completion",
            ["created"] = 1_700_000_000,
            ["model"] = "benchmark-model",
            ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["message"] = message, ["finish_reason"] = "tool_calls" }),
            ["usage"] = new JsonObject { ["prompt_tokens"] = 10, ["completion_tokens"] = 5, ["total_tokens"] = 15 },
        };
        return new ResponseMessage
        {
            StatusCode = 200,
            Headers = new Dictionary<string, WireMockList<string>> { ["Content-Type"] = new("application/json") },
            BodyData = new BodyData { BodyAsString = body.ToJsonString(), DetectedBodyType = BodyType.String, Encoding = Encoding.UTF8 },
        };
    }

    private static WorkerToolbox Toolbox(string worktree) => new(
        new ScopeGuard(new Scope(["src/**"], [], 20, 800), worktree),
        RepoSettings.Defaults,
        new TestRunner([], new TestSandbox(SandboxMode.None, TestSandbox.DefaultBwrapPath, [], SandboxLimits.Default, NullLogger<TestSandbox>.Instance), NullLogger<TestRunner>.Instance),
        NullLogger.Instance);

    private sealed record Run(int Budget, List<long> Sent, int Elided, int Over, long ToolDefinitions);
}
