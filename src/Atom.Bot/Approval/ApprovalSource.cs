namespace Atom.Bot.Approval;

/// <summary>How an approval was given: a review, a <c>/approve</c> comment, or a human merge.</summary>
public enum ApprovalSource
{
    Review,
    Comment,
    Merge,
}
