using System.Diagnostics;
using Atom.Bot.Telemetry;

namespace Atom.Bot.Tasks;

public static class TaskTelemetry
{
    /// <summary>
    /// Starts a stage's span for <paramref name="task"/>: tagged with its id (what links the separate traces of a task's
    /// jobs), repository, issue and round. Null when nothing listens.
    /// </summary>
    public static Activity? StartStage(this AtomTask task, string name)
    {
        ArgumentNullException.ThrowIfNull(task);
        var activity = AtomTelemetry.Source.StartActivity(name);
        if (activity is not null)
        {
            activity.SetTag(AtomTelemetry.TaskId, task.Id);
            activity.SetTag(AtomTelemetry.Repository, task.Repository);
            activity.SetTag(AtomTelemetry.Issue, task.IssueNumber);
            activity.SetTag(AtomTelemetry.Round, task.Round);
        }

        return activity;
    }
}
