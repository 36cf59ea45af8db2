namespace Atom.Bot.Configuration;

/// <summary>How Atom's commits are made verifiable on GitHub (<c>ATOM_GIT_SIGNING</c>).</summary>
public enum GitSigningMode
{
    /// <summary>Verified commits when the base branch's rulesets require signed commits: through the API with a GitHub App, else SSH-signed.</summary>
    Auto,

    /// <summary>Always through GitHub's Git Data API, which signs the commits a GitHub App makes there.</summary>
    Api,

    /// <summary>Always signed with the SSH key under <c>ATOM_DATA_DIR/keys/git-signing</c>.</summary>
    Ssh,

    /// <summary>Never signed (a base branch that requires signatures will refuse the commits).</summary>
    None,
}
