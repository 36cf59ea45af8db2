namespace Atom.Bot.Audit;

/// <summary>Who Atom itself is in the audit log and the task history, whichever part of it acted.</summary>
public static class Actors
{
    /// <summary>The supervisor, the merge, gap detection and proposal builds.</summary>
    public const string Atom = "atom";

    /// <summary>A worker running an assignment (or a proposal's build) with the model.</summary>
    public const string Worker = "atom-worker";
}
