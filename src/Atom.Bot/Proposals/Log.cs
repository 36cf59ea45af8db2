namespace Atom.Bot.Proposals;

internal static partial class Log
{
    [LoggerMessage(EventId = 800, Level = LogLevel.Information, Message = "Proposal {ProposalId} ({Category} {Key}) drafted as issue #{Issue}")]
    public static partial void Drafted(ILogger logger, long proposalId, ProposalCategory category, string key, int issue);

    [LoggerMessage(EventId = 801, Level = LogLevel.Information, Message = "Proposal {ProposalId}: new evidence, {Tasks} task(s)")]
    public static partial void Updated(ILogger logger, long proposalId, int tasks);

    [LoggerMessage(EventId = 802, Level = LogLevel.Information, Message = "Proposal {ProposalId}: {Command} by {Login}: {Outcome}")]
    public static partial void Command(ILogger logger, long proposalId, string command, string login, string outcome);

    [LoggerMessage(EventId = 803, Level = LogLevel.Information, Message = "Proposal {ProposalId} built as pull request #{PullRequest} ({Sha})")]
    public static partial void Implemented(ILogger logger, long proposalId, int pullRequest, string sha);

    [LoggerMessage(EventId = 804, Level = LogLevel.Warning, Message = "Proposal {ProposalId} could not be built: {Reason}")]
    public static partial void Failed(ILogger logger, long proposalId, string reason);

    [LoggerMessage(EventId = 805, Level = LogLevel.Information, Message = "Gap {Category} {Key} not proposed: {Reason}")]
    public static partial void Skipped(ILogger logger, ProposalCategory category, string key, string reason);

    [LoggerMessage(EventId = 806, Level = LogLevel.Warning, Message = "The proposals dashboard #{Issue} was not pinned: {Reason}")]
    public static partial void NotPinned(ILogger logger, int issue, string reason);

    [LoggerMessage(EventId = 807, Level = LogLevel.Information, Message = "Proposal text for {Category} {Key} drafted by the model {Model}")]
    public static partial void TextDrafted(ILogger logger, ProposalCategory category, string key, string model);

    [LoggerMessage(EventId = 808, Level = LogLevel.Warning, Message = "Proposal text for {Category} {Key} falls back to the template: the model gave no usable text ({Reason}, HTTP {Status})")]
    public static partial void TextFallback(ILogger logger, ProposalCategory category, string key, string reason, int? status);

    [LoggerMessage(EventId = 810, Level = LogLevel.Warning, Message = "Proposal {ProposalId}: {Actor} pushed {HeadSha} to its pull request; that head is not certified")]
    public static partial void HeadMoved(ILogger logger, long proposalId, string headSha, string actor);
}
