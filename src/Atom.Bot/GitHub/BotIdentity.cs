namespace Atom.Bot.GitHub;

/// <summary>
/// Recognises Atom's own comments and reviews and those of other bots, which Atom never acts on. A GitHub App acts as a
/// user of type <c>Bot</c>; with a personal token Atom acts as that token's user, learned once from <c>GET /user</c>.
/// </summary>
public sealed class BotIdentity(GitHubClientFactory github, GitHubCredentials credentials) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private string? _tokenLogin;

    public async Task<bool> IsBotOrSelfAsync(string login, string? userType, long? installationId, CancellationToken cancellationToken)
    {
        if (string.Equals(userType, "Bot", StringComparison.OrdinalIgnoreCase) || login.EndsWith("[bot]", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (credentials.UsesApp)
        {
            return false;
        }

        return string.Equals(login, await TokenLoginAsync(cancellationToken), StringComparison.OrdinalIgnoreCase);
    }

    public void Dispose() => _gate.Dispose();

    private async Task<string> TokenLoginAsync(CancellationToken cancellationToken)
    {
        if (_tokenLogin is { } known)
        {
            return known;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_tokenLogin is null)
            {
                var client = await github.CreatePersonalAsync(cancellationToken);
                _tokenLogin = (await client.User.Current()).Login;
            }

            return _tokenLogin;
        }
        finally
        {
            _gate.Release();
        }
    }
}
