namespace Atom.Bot.Git;

/// <summary>What a git command printed, with any token removed.</summary>
internal sealed record GitCliResult(int ExitCode, string StandardOutput, string StandardError)
{
    public bool Succeeded => ExitCode == 0;
}
