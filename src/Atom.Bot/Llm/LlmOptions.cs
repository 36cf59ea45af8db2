using System.Text;
using Atom.Bot.Configuration;

namespace Atom.Bot.Llm;

/// <summary>
/// The part of <see cref="AtomOptions"/> that <see cref="LlmPool"/> needs: the two endpoints, the API key, the
/// concurrency and the timeout per attempt. Secret scrubbing is the <see cref="Redactor"/>'s, not this slice's.
/// </summary>
public sealed record LlmOptions
{
    public required Uri LlmBaseUrl { get; init; }
    public required string LlmModel { get; init; }
    public string? LlmApiKey { get; init; }
    public required Uri AuditorBaseUrl { get; init; }
    public required string AuditorModel { get; init; }

    /// <summary>The second auditor (<c>ATOM_AUDITOR2_*</c>): both null when none is set.</summary>
    public Uri? Auditor2BaseUrl { get; init; }
    public string? Auditor2Model { get; init; }
    public required int LlmConcurrency { get; init; }
    public required int LlmTimeoutSeconds { get; init; }

    /// <summary><c>ATOM_LLM_FALLBACK_MODEL</c>: the smaller model asked in the main model's place while the platform is critical.</summary>
    public string? LlmFallbackModel { get; init; }

    public static LlmOptions From(AtomOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new LlmOptions
        {
            LlmBaseUrl = options.LlmBaseUrl,
            LlmModel = options.LlmModel,
            LlmApiKey = options.LlmApiKey,
            AuditorBaseUrl = options.AuditorBaseUrl,
            AuditorModel = options.AuditorModel,
            Auditor2BaseUrl = options.Auditor2BaseUrl,
            Auditor2Model = options.Auditor2Model,
            LlmConcurrency = options.LlmConcurrency,
            LlmTimeoutSeconds = options.LlmTimeoutSeconds,
            LlmFallbackModel = options.LlmFallbackModel,
        };
    }

    // The record's generated ToString would print the API key; a logged or interpolated slice must not.
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("LlmBaseUrl = ").Append(LlmBaseUrl)
            .Append(", LlmModel = ").Append(LlmModel)
            .Append(", LlmApiKey = ").Append(LlmApiKey is null ? "(none)" : "***")
            .Append(", AuditorBaseUrl = ").Append(AuditorBaseUrl)
            .Append(", AuditorModel = ").Append(AuditorModel)
            .Append(", Auditor2BaseUrl = ").Append(Auditor2BaseUrl?.ToString() ?? "(none)")
            .Append(", Auditor2Model = ").Append(Auditor2Model ?? "(none)")
            .Append(", LlmConcurrency = ").Append(LlmConcurrency)
            .Append(", LlmTimeoutSeconds = ").Append(LlmTimeoutSeconds)
            .Append(", LlmFallbackModel = ").Append(LlmFallbackModel ?? "(none)");
        return true;
    }
}
