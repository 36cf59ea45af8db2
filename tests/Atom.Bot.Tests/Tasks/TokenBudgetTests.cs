using Atom.Bot.Configuration;
using Atom.Bot.Tasks;

namespace Atom.Bot.Tests.Tasks;

public sealed class TokenBudgetTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 4, 13, 0, 0, TimeSpan.Zero);

    [Fact]
    public void No_budget_means_no_limit_whatever_was_used() =>
        TokenBudget.Check(new BudgetSettings(), long.MaxValue / 2, long.MaxValue / 2, Now).ShouldBeNull();

    [Theory]
    [InlineData(999, null)]
    [InlineData(1000, BudgetLimit.Task)]
    [InlineData(1001, BudgetLimit.Task)]
    public void A_task_stops_once_its_tokens_reach_the_budget(long used, BudgetLimit? expected)
    {
        var stop = TokenBudget.Check(new BudgetSettings { MaxTokensPerTask = 1000 }, used, 0, Now);

        stop?.Limit.ShouldBe(expected!.Value);
        (stop is null).ShouldBe(expected is null);
        if (stop is not null)
        {
            (stop.Used, stop.Budget).ShouldBe((used, 1000L));
            stop.Reason.ShouldContain($"{used:N0} tokens of its 1,000");
            stop.Setting.ShouldBe("budget.max_tokens_per_task");
        }
    }

    [Fact]
    public void The_month_counts_the_repository_and_resets_on_the_first_of_the_next_month_UTC()
    {
        var budget = new BudgetSettings { MaxTokensPerTask = 10_000, MaxTokensPerMonth = 50_000 };

        TokenBudget.Check(budget, 100, 49_999, Now).ShouldBeNull();
        var stop = TokenBudget.Check(budget, 100, 50_000, Now).ShouldNotBeNull();

        stop.Limit.ShouldBe(BudgetLimit.Month);
        stop.Month.ShouldBe("2026-12");
        stop.ResetsAt.ShouldBe(new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero));
        stop.Setting.ShouldBe("budget.max_tokens_per_month");
        stop.Reason.ShouldContain("50,000 tokens of its 50,000 in 2026-12");
    }

    [Fact]
    public void The_tasks_own_budget_is_named_first_when_both_are_reached() =>
        TokenBudget.Check(new BudgetSettings { MaxTokensPerTask = 10, MaxTokensPerMonth = 10 }, 10, 10, Now)!.Limit.ShouldBe(BudgetLimit.Task);

    [Fact]
    public void A_month_in_another_offset_is_the_UTC_month()
    {
        var lateOnNewYearsEveInNewYork = new DateTimeOffset(2026, 12, 31, 20, 0, 0, TimeSpan.FromHours(-5));

        TokenBudget.MonthOf(lateOnNewYearsEveInNewYork).ShouldBe("2027-01");
        TokenBudget.Check(new BudgetSettings { MaxTokensPerMonth = 1 }, 0, 1, lateOnNewYearsEveInNewYork)!.ResetsAt
            .ShouldBe(new DateTimeOffset(2027, 2, 1, 0, 0, 0, TimeSpan.Zero));
    }
}
