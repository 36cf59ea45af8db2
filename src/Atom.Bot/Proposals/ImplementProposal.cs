using Atom.Bot.Jobs;

namespace Atom.Bot.Proposals;

/// <summary>Work item: build an approved proposal as a pull request (ids only; the approved spec is read from the store).</summary>
public sealed record ImplementProposal(long ProposalId) : IWorkItem;
