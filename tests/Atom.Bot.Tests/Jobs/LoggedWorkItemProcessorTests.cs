using Atom.Bot.Jobs;
using Atom.Bot.Tasks;

namespace Atom.Bot.Tests.Jobs;

public sealed class LoggedWorkItemProcessorTests
{
    [Fact]
    public async Task A_job_runs_inside_a_scope_that_names_its_work_item_and_ids()
    {
        var logger = new ScopeRecorder();
        var processor = new Recorder(logger);
        var logged = new LoggedWorkItemProcessor<AdvanceTask, Recorder>(processor, logger);

        await logged.ProcessAsync(new AdvanceTask(42), CancellationToken.None);

        processor.ScopeDuringRun.ShouldBe([new("WorkItem", "AdvanceTask"), new("TaskId", 42L)]);
        processor.ScopeDuringRun!.ToString().ShouldBe("AdvanceTask TaskId=42");
        logger.Open.ShouldBe(0, "the scope ends with the job");
    }

    [Fact]
    public async Task The_scope_ends_when_the_job_throws()
    {
        var logger = new ScopeRecorder();
        var logged = new LoggedWorkItemProcessor<AdvanceTask, Recorder>(new Recorder(logger, fail: true), logger);

        await Should.ThrowAsync<InvalidOperationException>(() => logged.ProcessAsync(new AdvanceTask(7), CancellationToken.None));

        logger.Open.ShouldBe(0);
    }

    internal sealed class Recorder(ScopeRecorder logger, bool fail = false) : IWorkItemProcessor<AdvanceTask>
    {
        public IReadOnlyList<KeyValuePair<string, object?>>? ScopeDuringRun { get; private set; }

        public Task ProcessAsync(AdvanceTask work, CancellationToken cancellationToken)
        {
            ScopeDuringRun = logger.Current;
            return fail ? throw new InvalidOperationException("boom") : Task.CompletedTask;
        }
    }

    internal sealed class ScopeRecorder : ILogger<Recorder>
    {
        public IReadOnlyList<KeyValuePair<string, object?>>? Current { get; private set; }

        public int Open { get; private set; }

        public IDisposable BeginScope<TState>(TState state)
            where TState : notnull
        {
            Current = (IReadOnlyList<KeyValuePair<string, object?>>)state;
            Open++;
            return new End(this);
        }

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
        }

        private sealed class End(ScopeRecorder owner) : IDisposable
        {
            public void Dispose() => owner.Open--;
        }
    }
}
