using System.Diagnostics;
using Atom.Bot.Llm;
using Atom.Bot.Tasks;
using OpenAI.Chat;

namespace Atom.Bot.Workers;

/// <summary>
/// The worker's conversation: the model asks for tools, the toolbox answers (refusals included, as tool errors the
/// model reads), until the model calls <c>finish</c> or a bound is reached. It never commits; the worker does.
/// </summary>
public sealed partial class AgentLoop(LlmPool llm, TimeProvider clock, ILogger<AgentLoop> logger)
{
    public const string Reminder = "Continue with the tools. Change files only with edit_file, write_file or delete_file, and call finish(summary) when the assignment is done.";

    public async Task<AgentRun> RunAsync(
        long? taskId,
        string systemPrompt,
        string userPrompt,
        WorkerToolbox toolbox,
        AgentLimits limits,
        Func<ScopeViolation, Task> onRefusal,
        Func<CancellationToken, Task<bool>> stillWanted,
        Func<CancellationToken, Task<BudgetStop?>> budget,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(toolbox);
        ArgumentNullException.ThrowIfNull(limits);
        ArgumentNullException.ThrowIfNull(onRefusal);
        ArgumentNullException.ThrowIfNull(stillWanted);
        ArgumentNullException.ThrowIfNull(budget);
        List<ChatMessage> messages = [new SystemChatMessage(systemPrompt), new UserChatMessage(userPrompt)];
        using var deadline = new CancellationTokenSource(limits.Deadline, clock);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        var steps = 0;
        var reminders = 0;
        long tokensIn = 0, tokensOut = 0;
        var llmTime = TimeSpan.Zero;
        var elided = 0;
        var seen = 0;
        // The tool definitions every request carries (MCP tools included) fill the context with the messages.
        var definitionCharacters = ContextKeeper.DefinitionCharacters(toolbox.Definitions);

        AgentRun Stop(AgentStop stop, string summary, string? error = null) => new(stop, summary, steps, tokensIn, tokensOut, llmTime, error, elided);

        while (true)
        {
            if (steps >= limits.MaxSteps)
            {
                return Stop(AgentStop.StepLimit, $"Stopped after {steps} tool calls (the limit is {limits.MaxSteps}).");
            }

            // Cancellation is cooperative and read from the store, so it reaches a worker on any instance.
            if (!await stillWanted(cancellationToken))
            {
                return Stop(AgentStop.Cancelled, $"Cancelled after {steps} tool calls.");
            }

            // Before every request, from the stored usage of every instance: a budget reached ends the work here, and
            // what the tools wrote so far is still committed and pushed by the worker.
            if (await budget(cancellationToken) is { } reached)
            {
                LogBudgetReached(logger, taskId, reached.Limit, reached.Used, reached.Budget);
                return Stop(AgentStop.BudgetReached, $"Stopped after {steps} tool calls: {reached.Reason}.");
            }

            if (ContextKeeper.Keep(messages, limits.ContextTokens, seen, definitionCharacters) is > 0 and var dropped)
            {
                elided += dropped;
                LogElided(logger, taskId, dropped, limits.ContextTokens);
            }

            seen = messages.Count;

            LlmResult<LlmReply> result;
            var started = Stopwatch.GetTimestamp();
            try
            {
                result = await llm.CompleteAsync(LlmEndpoint.Main, messages, toolbox.Definitions, taskId, linked.Token);
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                return Stop(AgentStop.Deadline, $"Stopped at the deadline of {limits.Deadline.TotalMinutes:0.#} minutes after {steps} tool calls.");
            }
            finally
            {
                llmTime += Stopwatch.GetElapsedTime(started);
            }

            if (!result.IsOk)
            {
                LogLlmFailed(logger, taskId, result.Error!.Kind, result.Error.Message);
                return Stop(AgentStop.LlmFailed, "The model could not be reached.", $"LLM {result.Error.Kind}: {result.Error.Message}");
            }

            var reply = result.Value!;
            tokensIn += reply.TokensIn;
            tokensOut += reply.TokensOut;
            messages.Add(reply.ToChatMessage());
            if (reply.ToolCalls.Count == 0)
            {
                if (reminders++ >= AgentLimits.MaxReminders)
                {
                    return Stop(AgentStop.NoMoreToolCalls, string.IsNullOrWhiteSpace(reply.Text) ? "The model stopped without calling finish." : reply.Text.Trim());
                }

                messages.Add(new UserChatMessage(Reminder));
                continue;
            }

            foreach (var call in reply.ToolCalls)
            {
                if (steps >= limits.MaxSteps)
                {
                    // Every tool call of the reply needs an answer for the conversation to stay valid; the loop ends next turn.
                    messages.Add(new ToolChatMessage(call.Id, "Not run: the step limit is reached."));
                    continue;
                }

                steps++;
                if (deadline.IsCancellationRequested)
                {
                    return Stop(AgentStop.Deadline, $"Stopped at the deadline of {limits.Deadline.TotalMinutes:0.#} minutes after {steps - 1} tool calls.");
                }

                var outcome = await toolbox.InvokeAsync(call, cancellationToken);
                if (outcome.Refusal is { } refusal)
                {
                    LogRefused(logger, taskId, call.Name, refusal.Reason);
                    await onRefusal(refusal);
                }

                messages.Add(new ToolChatMessage(call.Id, outcome.Content));
                if (outcome.Finished)
                {
                    return Stop(AgentStop.Finished, string.IsNullOrWhiteSpace(outcome.Summary) ? "Finished." : outcome.Summary.Trim());
                }
            }
        }
    }

    [LoggerMessage(EventId = 5020, Level = LogLevel.Warning, Message = "Task {TaskId}: the model failed ({Kind}): {Message}")]
    private static partial void LogLlmFailed(ILogger logger, long? taskId, LlmErrorKind kind, string message);

    [LoggerMessage(EventId = 5022, Level = LogLevel.Information, Message = "Task {TaskId}: the worker stops, its {Limit} token budget is reached ({Used} of {Budget})")]
    private static partial void LogBudgetReached(ILogger logger, long? taskId, BudgetLimit limit, long used, long budget);

    [LoggerMessage(EventId = 5023, Level = LogLevel.Information, Message = "Task {TaskId}: {Count} old tool result(s) elided to keep the conversation within {ContextTokens} tokens")]
    private static partial void LogElided(ILogger logger, long? taskId, int count, int contextTokens);

    [LoggerMessage(EventId = 5021, Level = LogLevel.Information, Message = "Task {TaskId}: tool {Tool} refused: {Reason}")]
    private static partial void LogRefused(ILogger logger, long? taskId, string tool, string reason);
}
