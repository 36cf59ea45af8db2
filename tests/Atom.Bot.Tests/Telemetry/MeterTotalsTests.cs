using System.Diagnostics.Metrics;
using Atom.Bot.Telemetry;

namespace Atom.Bot.Tests.Telemetry;

public sealed class MeterTotalsTests
{
    private static KeyValuePair<string, object?> Tag(string key, object? value) => new(key, value);

    [Fact]
    public void Sum_adds_a_counters_measurements_whose_tags_include_the_filter_whatever_their_order()
    {
        using var meter = new Meter(AtomTelemetry.Name);
        using var totals = new MeterTotals(meter);
        var requests = meter.CreateCounter<long>("atom.llm.requests");

        requests.Add(1, Tag("endpoint", "main"), Tag("outcome", "completed"));
        requests.Add(2, Tag("outcome", "completed"), Tag("endpoint", "main"));
        requests.Add(1, Tag("endpoint", "auditor"), Tag("outcome", "failed"));

        totals.Sum("atom.llm.requests").ShouldBe(4);
        totals.Sum("atom.llm.requests", Tag("outcome", "completed")).ShouldBe(3);
        totals.Sum("atom.llm.requests", Tag("outcome", "completed"), Tag("endpoint", "main")).ShouldBe(3);
        totals.Sum("atom.llm.requests", Tag("outcome", "completed"), Tag("endpoint", "auditor")).ShouldBe(0);
        totals.Count("atom.llm.requests", Tag("endpoint", "main")).ShouldBe(2);
        totals.Sum("atom.unknown").ShouldBe(0);
    }

    [Fact]
    public void Histograms_keep_their_count_and_sum_and_tag_values_compare_as_text()
    {
        using var meter = new Meter(AtomTelemetry.Name);
        using var totals = new MeterTotals(meter);
        var wait = meter.CreateHistogram<double>("atom.llm.pool.wait");
        var runs = meter.CreateCounter<int>("atom.test.runs");

        wait.Record(0.5, Tag("endpoint", "main"));
        wait.Record(1.5, Tag("endpoint", "main"));
        runs.Add(1, Tag("sandboxed", true));

        totals.Count("atom.llm.pool.wait").ShouldBe(2);
        totals.Sum("atom.llm.pool.wait").ShouldBe(2.0);
        totals.Sum("atom.test.runs", Tag("sandboxed", "True")).ShouldBe(1);
    }

    [Fact]
    public void Only_the_given_meter_is_read_not_another_of_the_same_name_and_nothing_after_dispose()
    {
        using var mine = new Meter(AtomTelemetry.Name);
        using var other = new Meter(AtomTelemetry.Name);
        var totals = new MeterTotals(mine);
        var counter = mine.CreateCounter<long>("atom.deliveries");
        other.CreateCounter<long>("atom.deliveries").Add(5);
        counter.Add(1);

        totals.Sum("atom.deliveries").ShouldBe(1);
        totals.Dispose();
        counter.Add(1);
        totals.Sum("atom.deliveries").ShouldBe(1);
    }

    [Fact]
    public void Observable_instruments_are_not_totals()
    {
        using var meter = new Meter(AtomTelemetry.Name);
        using var totals = new MeterTotals(meter);
        var observed = 0;
        meter.CreateObservableGauge("atom.llm.pool.queued", () => ++observed);

        totals.Sum("atom.llm.pool.queued").ShouldBe(0);
        observed.ShouldBe(0);
    }
}
