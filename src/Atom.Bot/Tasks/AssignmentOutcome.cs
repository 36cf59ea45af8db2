namespace Atom.Bot.Tasks;

/// <summary>How an assignment ended.</summary>
public enum AssignmentOutcome
{
    /// <summary>The model called <c>finish</c> and the change was committed and pushed.</summary>
    Completed,

    /// <summary>The model finished without changing anything: a result, not a commit.</summary>
    NothingToDo,

    /// <summary>The step limit, the deadline or a token budget ended the work; what was done is committed and the result says so.</summary>
    LimitReached,

    /// <summary>The LLM, git or the push failed; nothing was delivered.</summary>
    Failed,
}
