using Hangfire.AspNetCore;
using Hangfire.Logging;

namespace Atom.Bot.Jobs;

/// <summary>
/// Hangfire's log provider is a process-wide static that the last service to start sets. When two services share a
/// process (the tests, or a restart in place) and the earlier one is gone, its logger factory is disposed: logging
/// through it must not break job servers starting in the other, so those log lines are dropped instead.
/// </summary>
internal sealed class ServiceLogProvider(ILoggerFactory factory) : ILogProvider
{
    private readonly AspNetCoreLogProvider _inner = new(factory);

    public Hangfire.Logging.ILog GetLogger(string name)
    {
        try
        {
            var logger = _inner.GetLogger(name);
            return new Guarded(logger);
        }
        catch (ObjectDisposedException)
        {
            return new Guarded(null);
        }
    }

    private sealed class Guarded(Hangfire.Logging.ILog? inner) : Hangfire.Logging.ILog
    {
        public bool Log(Hangfire.Logging.LogLevel logLevel, Func<string>? messageFunc, Exception? exception = null)
        {
            try
            {
                return inner?.Log(logLevel, messageFunc, exception) ?? false;
            }
            catch (ObjectDisposedException)
            {
                return false;
            }
        }
    }
}
