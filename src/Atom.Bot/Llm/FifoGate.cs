namespace Atom.Bot.Llm;

/// <summary>
/// A counting gate whose waiters are served strictly first come, first served (SemaphoreSlim does not promise an
/// order), with cancellable waits and exact counts of holders and waiters for the statistics.
/// </summary>
internal sealed class FifoGate
{
    private readonly Lock _lock = new();
    private readonly LinkedList<TaskCompletionSource> _waiters = new();
    private readonly int _capacity;
    private int _limit;
    private int _held;

    public FifoGate(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
        _limit = capacity;
    }

    public int Capacity => _capacity;

    /// <summary>
    /// How many may hold the gate now (1..<see cref="Capacity"/>). Lowered, holders above it keep their slot until they
    /// release it; raised, waiters are let in at once.
    /// </summary>
    public int Limit
    {
        get
        {
            lock (_lock)
            {
                return _limit;
            }
        }

        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, _capacity);
            var admitted = new List<TaskCompletionSource>();
            lock (_lock)
            {
                _limit = value;
                while (_held < _limit && _waiters.First is { } first)
                {
                    _waiters.RemoveFirst();
                    _held++;
                    admitted.Add(first.Value);
                }
            }

            foreach (var waiter in admitted)
            {
                waiter.TrySetResult();
            }
        }
    }

    public int Held
    {
        get
        {
            lock (_lock)
            {
                return _held;
            }
        }
    }

    public int Waiting
    {
        get
        {
            lock (_lock)
            {
                return _waiters.Count;
            }
        }
    }

    public async Task WaitAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        LinkedListNode<TaskCompletionSource> node;
        lock (_lock)
        {
            if (_held < _limit && _waiters.Count == 0)
            {
                _held++;
                return;
            }

            node = _waiters.AddLast(new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        }

        // If Release hands the slot over first, the node is already off the list: the waiter owns the slot and
        // will release it; otherwise the cancellation removes the node and no slot changes hands.
        await using var registration = cancellationToken.Register(() =>
        {
            bool removed;
            lock (_lock)
            {
                removed = node.List is not null;
                if (removed)
                {
                    _waiters.Remove(node);
                }
            }

            if (removed)
            {
                node.Value.TrySetCanceled(cancellationToken);
            }
        });
        await node.Value.Task;
    }

    public void Release()
    {
        TaskCompletionSource? next = null;
        lock (_lock)
        {
            if (_held <= _limit && _waiters.First is { } first)
            {
                // The slot passes to the first waiter (held stays the same).
                _waiters.RemoveFirst();
                next = first.Value;
            }
            else if (_held > 0)
            {
                _held--;
            }
            else
            {
                throw new InvalidOperationException("Release without a matching WaitAsync.");
            }
        }

        next?.TrySetResult();
    }
}
