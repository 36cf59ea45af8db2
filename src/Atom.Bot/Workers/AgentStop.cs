namespace Atom.Bot.Workers;

/// <summary>Why the agent loop stopped.</summary>
public enum AgentStop
{
    /// <summary>The model called <c>finish</c>.</summary>
    Finished,

    /// <summary>The model stopped calling tools and kept answering in prose.</summary>
    NoMoreToolCalls,

    /// <summary><c>ATOM_WORKER_MAX_STEPS</c> tool calls were made.</summary>
    StepLimit,

    /// <summary>The assignment's wall-clock deadline passed.</summary>
    Deadline,

    /// <summary>The assignment was cancelled (<c>/cancel</c>, the label removed) while the loop ran.</summary>
    Cancelled,

    /// <summary>The task's or the repository's token budget was reached before the next request (<c>budget</c> in <c>.github/atom.yml</c>).</summary>
    BudgetReached,

    /// <summary>The LLM failed after the pool's bounded retries.</summary>
    LlmFailed,
}
