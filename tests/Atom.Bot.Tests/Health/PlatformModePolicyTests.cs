using Atom.Bot.Health;

namespace Atom.Bot.Tests.Health;

public sealed class PlatformModePolicyTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 4, 10, 0, 0, TimeSpan.Zero);

    private static PlatformReading Thermal(int level, double? latency = null) => new() { ThermalLevel = level, InferenceLatencyMs = latency };

    private static PlatformReading Latency(double ms) => new() { InferenceLatencyMs = ms };

    [Fact]
    public void A_worse_reading_takes_effect_at_once_and_a_better_one_after_three_calm_readings_in_a_row()
    {
        var policy = new PlatformModePolicy();
        var state = PlatformState.Initial(Start);

        state = policy.Next(state, Thermal(3), Start);
        state.Level.ShouldBe(PlatformLevel.Critical);
        state.Reason.ShouldBe("thermal level 3");

        state = policy.Next(state, Thermal(0), Start);
        state = policy.Next(state, Thermal(0), Start);
        state.Level.ShouldBe(PlatformLevel.Critical, "two calm readings are not enough");
        state = policy.Next(state, Thermal(3), Start);
        state = policy.Next(state, Thermal(0), Start);
        state = policy.Next(state, Thermal(0), Start);
        state.Level.ShouldBe(PlatformLevel.Critical, "a hot reading in between starts the count again");
        state = policy.Next(state, Thermal(0), Start.AddMinutes(1));
        state.Level.ShouldBe(PlatformLevel.Normal);
        state.Since.ShouldBe(Start.AddMinutes(1));
        state.Reason.ShouldStartWith("recovered");
    }

    [Fact]
    public void From_critical_a_level_2_reading_steps_down_to_stressed_not_to_normal()
    {
        var policy = new PlatformModePolicy();
        var state = policy.Next(PlatformState.Initial(Start), Thermal(3), Start);
        for (var i = 0; i < PlatformModePolicy.CalmReadingsToRecover; i++)
        {
            state = policy.Next(state, Thermal(2), Start);
        }

        state.Level.ShouldBe(PlatformLevel.Stressed);
    }

    [Fact]
    public void Latency_over_twice_its_baseline_stresses_and_only_under_one_and_a_half_times_counts_as_calm()
    {
        var policy = new PlatformModePolicy();
        var state = PlatformState.Initial(Start);
        foreach (var ms in new[] { 100.0, 100, 100 })
        {
            state = policy.Next(state, Latency(ms), Start);
        }

        policy.BaselineLatencyMs.ShouldNotBeNull().ShouldBe(100, 0.001);
        state = policy.Next(state, Latency(190), Start);
        state.Level.ShouldBe(PlatformLevel.Normal, "under twice the baseline");
        state = policy.Next(state, Latency(250), Start);
        state.Level.ShouldBe(PlatformLevel.Stressed);
        state.Reason.ShouldContain("250 ms");

        // Near the threshold: better than 2x but not under 1.5x does not count towards recovery.
        for (var i = 0; i < 5; i++)
        {
            state = policy.Next(state, Latency(170), Start);
        }

        state.Level.ShouldBe(PlatformLevel.Stressed);
        var baseline = policy.BaselineLatencyMs;
        baseline.ShouldNotBeNull().ShouldBeLessThan(110, "stressed readings never raise the baseline");
        for (var i = 0; i < PlatformModePolicy.CalmReadingsToRecover; i++)
        {
            state = policy.Next(state, Latency(120), Start);
        }

        state.Level.ShouldBe(PlatformLevel.Normal);
    }

    [Fact]
    public void A_reading_without_the_deciding_fields_keeps_the_mode_and_updates_the_reading()
    {
        var policy = new PlatformModePolicy();
        var state = policy.Next(PlatformState.Initial(Start), Thermal(2), Start);
        var reading = new PlatformReading { Load = 0.5 };
        var next = policy.Next(state, reading, Start);
        next.Level.ShouldBe(PlatformLevel.Stressed, "one calm-looking reading is not a recovery");
        next.Reading.ShouldBe(reading);
    }

    [Theory]
    [InlineData("""{"thermal_level": 2, "inference_latency_ms": 840.5, "load": 0.7, "vram_used_mb": 20000, "vram_total_mb": 24576}""", null)]
    [InlineData("""{}""", null)]
    [InlineData("""{"thermal_level": 7}""", "thermal_level 7 is outside 0..3")]
    [InlineData("""{"load": 1.5}""", "load 1.5 is outside 0..1")]
    [InlineData("""{"thermal_level": "hot"}""", "not the documented JSON object")]
    [InlineData("""[1, 2]""", "not the documented JSON object")]
    [InlineData("""<html>502 Bad Gateway</html>""", "not the documented JSON object")]
    [InlineData("""null""", "not a JSON object")]
    public void Readings_are_parsed_or_refused_with_the_reason(string body, string? problem)
    {
        var reading = PlatformReading.Parse(body, out var why);
        if (problem is null)
        {
            reading.ShouldNotBeNull();
            why.ShouldBeNull();
        }
        else
        {
            reading.ShouldBeNull();
            why.ShouldNotBeNull().ShouldStartWith(problem);
        }
    }
}
