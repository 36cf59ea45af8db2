namespace Atom.Bot.Llm;

/// <summary>Where <see cref="LlmPool"/> reports each answered request's tokens, to be kept beyond the process (Platform/UsageStore).</summary>
public interface ILlmUsageSink
{
    Task RecordAsync(LlmUsageRecord record, CancellationToken cancellationToken);
}
