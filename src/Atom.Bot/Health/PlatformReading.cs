using System.Text.Json;
using System.Text.Json.Serialization;

namespace Atom.Bot.Health;

/// <summary>One answer of <c>ATOM_HEALTH_URL</c>; every field is optional (DESIGN.md, "Platform health").</summary>
public sealed record PlatformReading
{
    [JsonPropertyName("thermal_level")]
    public int? ThermalLevel { get; init; }

    [JsonPropertyName("vram_used_mb")]
    public double? VramUsedMb { get; init; }

    [JsonPropertyName("vram_total_mb")]
    public double? VramTotalMb { get; init; }

    [JsonPropertyName("inference_latency_ms")]
    public double? InferenceLatencyMs { get; init; }

    [JsonPropertyName("load")]
    public double? Load { get; init; }

    /// <summary>Reads an answer; null with the reason when it is not a JSON object of the documented fields and ranges.</summary>
    public static PlatformReading? Parse(string body, out string? problem)
    {
        PlatformReading? reading;
        try
        {
            reading = JsonSerializer.Deserialize<PlatformReading>(body);
        }
        catch (JsonException ex)
        {
            problem = $"not the documented JSON object: {ex.Message}";
            return null;
        }

        problem = reading switch
        {
            null => "not a JSON object",
            { ThermalLevel: < 0 or > 3 } => $"thermal_level {reading.ThermalLevel} is outside 0..3",
            { Load: < 0 or > 1 } => $"load {reading.Load} is outside 0..1",
            { InferenceLatencyMs: < 0 } => "inference_latency_ms is negative",
            _ => null,
        };
        return problem is null ? reading : null;
    }
}
