using Atom.Bot.Configuration;

namespace Atom.Bot.Audit;

/// <summary>Placeholder for <c>atom audit ...</c> (issue 4 replaces this file).</summary>
public static class AuditCommand
{
    public static async Task<int> RunAsync(string[] args, AtomOptions options, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(error);
        await error.WriteLineAsync("atom audit: not available yet".AsMemory(), cancellationToken);
        return 2;
    }
}
