namespace Atom.Bot.GitHub;

/// <summary>
/// Recognises Atom's own comments and reviews and those of other bots, which Atom never acts on. A GitHub App acts as a
/// user of type <c>Bot</c>; with a personal token Atom acts as that token's user, learned once from <c>GET /user</c>.
/// </summary>
public sealed class BotIdentity(GitHubClientFactory github, GitHubCredentials credentials) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private string? _tokenLogin;
    private long? _tokenUserId;

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

    /// <summary>
    /// Whether this account is Atom itself: as a GitHub App, the user <c>&lt;app-slug&gt;[bot]</c> of type <c>Bot</c>; with a
    /// personal token, the token's user by numeric id. Only such an account's pull request is Atom's to merge.
    /// </summary>
    public async Task<bool> IsSelfAsync(long userId, string login, string? userType, long? installationId, CancellationToken cancellationToken)
    {
        if (credentials.UsesApp && installationId is not null)
        {
            return string.Equals(userType, "Bot", StringComparison.OrdinalIgnoreCase)
                && string.Equals(login, $"{await credentials.AppSlugAsync(cancellationToken)}[bot]", StringComparison.OrdinalIgnoreCase);
        }

        await TokenLoginAsync(cancellationToken);
        return userId == _tokenUserId;
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
                var user = await client.User.Current();
                _tokenUserId = user.Id;
                _tokenLogin = user.Login;
            }

            return _tokenLogin;
        }
        finally
        {
            _gate.Release();
        }
    }
}
