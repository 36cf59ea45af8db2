namespace Atom.Bot.Jobs;

/// <summary>Hangfire queues by kind of work, each served by its own bounded set of workers.</summary>
public static class JobQueues
{
    /// <summary>Webhook deliveries: quick, many.</summary>
    public const string Ingress = "ingress";

    /// <summary>Task orchestration: acknowledge, plan, dispatch, evaluate, post.</summary>
    public const string Supervisor = "supervisor";

    /// <summary>Worker assignments: long, LLM-bound.</summary>
    public const string Workers = "workers";
}
