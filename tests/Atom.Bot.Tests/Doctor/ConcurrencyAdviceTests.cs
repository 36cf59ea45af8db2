using Atom.Bot.Doctor;

namespace Atom.Bot.Tests.Doctor;

public sealed class ConcurrencyAdviceTests
{
    [Fact]
    public void A_server_that_answers_every_level_as_fast_as_one_gets_the_most_probed() =>
        ConcurrencyAdvice.Recommend(new Dictionary<int, double> { [1] = 200, [2] = 210, [4] = 230, [8] = 260 }).ShouldBe(8);

    [Fact]
    public void The_level_before_latency_passes_the_tolerance_is_recommended() =>
        ConcurrencyAdvice.Recommend(new Dictionary<int, double> { [1] = 200, [2] = 290, [4] = 410, [8] = 800 }).ShouldBe(2);

    [Fact]
    public void A_later_level_that_looks_fast_again_does_not_count_once_one_was_too_slow() =>
        ConcurrencyAdvice.Recommend(new Dictionary<int, double> { [1] = 200, [2] = 500, [4] = 250 }).ShouldBe(1);

    [Fact]
    public void Without_one_request_alone_there_is_no_baseline() =>
        Should.Throw<ArgumentException>(() => ConcurrencyAdvice.Recommend(new Dictionary<int, double> { [2] = 200 }));
}
