using Atom.Bot.Llm;

namespace Atom.Bot.Tests.Llm;

public sealed class FifoGateTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Waiters_get_released_slots_in_arrival_order()
    {
        var gate = new FifoGate(1);
        await gate.WaitAsync(Ct);
        var order = new List<int>();
        var waiters = Enumerable.Range(1, 5).Select(async i =>
        {
            await gate.WaitAsync(Ct);
            lock (order)
            {
                order.Add(i);
            }

            gate.Release();
        }).ToList();
        gate.Waiting.ShouldBe(5);

        gate.Release();
        await Task.WhenAll(waiters);

        order.ShouldBe([1, 2, 3, 4, 5]);
        (gate.Held, gate.Waiting).ShouldBe((0, 0));
    }

    [Fact]
    public async Task Cancelled_waiter_leaves_the_queue_and_takes_no_slot()
    {
        var gate = new FifoGate(1);
        await gate.WaitAsync(Ct);
        using var cancel = new CancellationTokenSource();
        var cancelled = gate.WaitAsync(cancel.Token);
        var next = gate.WaitAsync(Ct);

        await cancel.CancelAsync();

        await Should.ThrowAsync<OperationCanceledException>(() => cancelled);
        gate.Waiting.ShouldBe(1);
        gate.Release();
        await next;
        (gate.Held, gate.Waiting).ShouldBe((1, 0));
    }

    [Fact]
    public async Task Slots_up_to_capacity_are_granted_without_waiting()
    {
        var gate = new FifoGate(3);

        await gate.WaitAsync(Ct);
        await gate.WaitAsync(Ct);
        await gate.WaitAsync(Ct);
        var fourth = gate.WaitAsync(Ct);

        fourth.IsCompleted.ShouldBeFalse();
        (gate.Held, gate.Waiting).ShouldBe((3, 1));
        gate.Release();
        await fourth;
        (gate.Held, gate.Waiting).ShouldBe((3, 0));
    }

    [Fact]
    public void Release_without_a_wait_is_a_bug()
    {
        Should.Throw<InvalidOperationException>(() => new FifoGate(1).Release());
    }

    [Fact]
    public async Task A_lowered_limit_lets_holders_finish_and_admits_no_one_until_below_it_and_a_raised_one_admits_at_once()
    {
        var gate = new FifoGate(4);
        for (var i = 0; i < 4; i++)
        {
            await gate.WaitAsync(Ct);
        }

        gate.Limit = 2;
        var waiter = gate.WaitAsync(Ct);
        gate.Release();
        gate.Release();
        waiter.IsCompleted.ShouldBeFalse("two still hold the gate: at the limit");
        gate.Held.ShouldBe(2);

        gate.Release();
        await waiter;
        gate.Held.ShouldBe(2);

        var second = gate.WaitAsync(Ct);
        var third = gate.WaitAsync(Ct);
        second.IsCompleted.ShouldBeFalse();
        gate.Limit = 4;
        await Task.WhenAll(second, third);
        (gate.Held, gate.Waiting).ShouldBe((4, 0));
        Should.Throw<ArgumentOutOfRangeException>(() => gate.Limit = 5);
        Should.Throw<ArgumentOutOfRangeException>(() => gate.Limit = 0);
    }
}
