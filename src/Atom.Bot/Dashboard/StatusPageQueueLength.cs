namespace Atom.Bot.Dashboard;

/// <summary>One Hangfire queue on the status page: jobs waiting, and jobs fetched by a server (null when the storage does not say).</summary>
public sealed record StatusPageQueueLength(string Name, long Enqueued, long? Fetched);
