namespace Atom.Bot.Tasks;

/// <summary>Where one assignment stands: queued → running → done | failed | cancelled.</summary>
public enum AssignmentState
{
    Queued,
    Running,
    Done,
    Failed,
    Cancelled,
}
