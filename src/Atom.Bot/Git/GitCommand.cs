using Atom.Bot.Configuration;
using Microsoft.Extensions.Logging.Abstractions;

namespace Atom.Bot.Git;

/// <summary><c>atom git signing-key</c>: prints the SSH key Atom signs commits with (made if missing), to register on the bot account.</summary>
public static class GitCommand
{
    public const string Usage = """
        usage: atom git <command>
          signing-key            print the public SSH key Atom signs commits with (ATOM_DATA_DIR/keys/git-signing, made
                                 the first time) and its fingerprint; register it on the bot account as a signing key
        """;

    public static async Task<int> RunAsync(string[] args, AtomOptions options, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        if (args is not ["signing-key"])
        {
            await error.WriteLineAsync(Usage.AsMemory(), cancellationToken);
            return 2;
        }

        using var keys = new GitSigningKeys(GitOptions.From(options), NullLogger.Instance);
        try
        {
            var key = await keys.EnsureAsync(cancellationToken);
            await output.WriteLineAsync(key.PublicKey.AsMemory(), cancellationToken);
            await output.WriteLineAsync($"""

                fingerprint: {key.Fingerprint} (the secret half stays in {key.PrivateKeyPath})
                Register the line above on the account Atom commits as ({options.GitAuthorEmail}): GitHub → Settings →
                SSH and GPG keys → New SSH key → Key type "Signing Key". The account must have that email address verified.
                """.AsMemory(), cancellationToken);
            return 0;
        }
        catch (GitCommandException ex)
        {
            await error.WriteLineAsync($"atom git signing-key: {ex.Message}".AsMemory(), cancellationToken);
            return 1;
        }
    }
}
