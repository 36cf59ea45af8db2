using Atom.Bot.Proposals;
using Atom.Bot.Tasks;

namespace Atom.Bot.Ingress;

/// <summary>
/// Whose a delivery is: a task's (its issue or pull request), a proposal's (its issue or pull request), or nobody's.
/// Resolved once by <see cref="EventOwners"/>, so a handler is only ever given what is its own and never has to answer
/// "not mine".
/// </summary>
public abstract record Owner
{
    private Owner()
    {
    }

    public static Owner None { get; } = new Nobody();

    public sealed record OfTask(AtomTask Task) : Owner;

    public sealed record OfProposal(Proposal Proposal) : Owner;

    private sealed record Nobody : Owner;
}
