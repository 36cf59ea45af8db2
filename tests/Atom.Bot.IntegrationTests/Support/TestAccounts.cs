namespace Atom.Bot.IntegrationTests.Support;

/// <summary>Test logins as GitHub accounts: each login is one person with its own numeric id.</summary>
public static class TestAccounts
{
    /// <summary>The fixtures' own user (Codertocat) keeps its id; every other login gets a stable id of its own.</summary>
    private const long FixtureUserId = 21031067;

    /// <summary>
    /// The numeric GitHub user id a test login stands for: what events carry and what the stub's <c>/users/{login}</c> and
    /// permission answers say, so that two logins are two people (as on GitHub) unless a test says otherwise.
    /// </summary>
    public static long UserId(string login)
    {
        ArgumentNullException.ThrowIfNull(login);
        if (string.Equals(login, "Codertocat", StringComparison.OrdinalIgnoreCase))
        {
            return FixtureUserId;
        }

        // FNV-1a of the lower-case login: the same id in every test run and process.
        var hash = 2166136261u;
        foreach (var c in login.ToLowerInvariant())
        {
            hash = (hash ^ c) * 16777619u;
        }

        return 30_000_000 + (hash % 10_000_000);
    }
}
