namespace Atom.Bot.GitHub;

/// <summary>
/// One rule that applies to a branch, as <c>GET /repos/{owner}/{repo}/rules/branches/{branch}</c> lists it
/// (<c>required_signatures</c>, <c>pull_request</c>, <c>merge_queue</c>, ...); only its type is read here.
/// </summary>
public sealed class BranchRule
{
    public BranchRule()
    {
    }

    public BranchRule(string type) => Type = type;

    public string Type { get; private set; } = "";
}
