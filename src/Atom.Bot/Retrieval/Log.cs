using Microsoft.Extensions.Logging;

namespace Atom.Bot.Retrieval;

/// <summary>The retrieval area's log events (5401–5499). Queries are issue text: they are never logged.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 5401, Level = LogLevel.Information, Message = "Indexed {Owner}/{Name} at {Commit}: {Indexed} file(s) read, {Deleted} dropped, {Unchanged} unchanged, in {ElapsedMilliseconds} ms")]
    public static partial void Indexed(ILogger logger, string owner, string name, string commit, int indexed, int deleted, int unchanged, long elapsedMilliseconds);

    [LoggerMessage(EventId = 5402, Level = LogLevel.Warning, Message = "Retrieval for {Owner}/{Name} failed; the prompt goes on without relevant files: {Reason}")]
    public static partial void RetrievalFailed(ILogger logger, string owner, string name, string reason);

    [LoggerMessage(EventId = 5403, Level = LogLevel.Warning, Message = "Embeddings for {Owner}/{Name} failed; ranking by BM25 alone: {Reason}")]
    public static partial void EmbeddingsFailed(ILogger logger, string owner, string name, string reason);

    [LoggerMessage(EventId = 5405, Level = LogLevel.Warning, Message = "The retrieval index of {Owner}/{Name} could not be used and is built again from the mirror: {Reason}")]
    public static partial void IndexRebuilt(ILogger logger, string owner, string name, string reason);

    [LoggerMessage(EventId = 5404, Level = LogLevel.Debug, Message = "Embedded {Chunks} new chunk(s) of {Owner}/{Name}")]
    public static partial void Embedded(ILogger logger, int chunks, string owner, string name);
}
