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
}
