namespace Atom.Bot.Certification;

internal static partial class Log
{
    [LoggerMessage(EventId = 6101, Level = LogLevel.Information, Message = "Package for {Repository}#{Issue} at {HeadSha} opened as pull request #{PullRequest} (passed: {Passed})")]
    public static partial void Created(ILogger logger, string repository, int issue, string headSha, int pullRequest, bool passed);

    [LoggerMessage(EventId = 6102, Level = LogLevel.Information, Message = "Package for {Repository}#{Issue} at {HeadSha} updated pull request #{PullRequest} (passed: {Passed})")]
    public static partial void Updated(ILogger logger, string repository, int issue, string headSha, int pullRequest, bool passed);

    [LoggerMessage(EventId = 6103, Level = LogLevel.Information, Message = "GitHub refused a second pull request from {Branch} in {Repository}; updating #{PullRequest} instead")]
    public static partial void AlreadyExists(ILogger logger, string repository, string branch, int pullRequest);

    [LoggerMessage(EventId = 6104, Level = LogLevel.Information, Message = "Check runs are refused for {Repository} ({Reason}); reporting {HeadSha} as a commit status instead")]
    public static partial void CheckRunRefused(ILogger logger, string repository, string headSha, string reason);

    [LoggerMessage(EventId = 6105, Level = LogLevel.Debug, Message = "Label {Label} was already gone from {Repository}#{PullRequest}")]
    public static partial void LabelAlreadyGone(ILogger logger, string label, string repository, int pullRequest);

    [LoggerMessage(EventId = 6106, Level = LogLevel.Information, Message = "Told {Repository}#{Issue} that nothing was produced")]
    public static partial void FailureCommented(ILogger logger, string repository, int issue);

    [LoggerMessage(EventId = 6107, Level = LogLevel.Warning, Message = "Pull request {Repository}#{PullRequest} could not be made {State}: {Reason}")]
    public static partial void DraftNotChanged(ILogger logger, string repository, int pullRequest, string state, string reason);

    [LoggerMessage(EventId = 6108, Level = LogLevel.Warning, Message = "{Repository} refused a draft pull request from {Branch}; opening a regular one for the failed package")]
    public static partial void DraftUnsupported(ILogger logger, string repository, string branch);

    [LoggerMessage(EventId = 6109, Level = LogLevel.Warning, Message = "Head {HeadSha} of {Repository}#{PullRequest} is not certified: someone else pushed it")]
    public static partial void Withdrawn(ILogger logger, string repository, int pullRequest, string headSha);

    [LoggerMessage(EventId = 6110, Level = LogLevel.Warning, Message = "{Repository}#{PullRequest} from {Branch} was opened by {Author}, not by Atom: not adopted")]
    public static partial void NotAdopted(ILogger logger, string repository, int pullRequest, string author, string branch);

    [LoggerMessage(EventId = 6112, Level = LogLevel.Warning, Message = "{Repository} refused to open a pull request from {Branch}: {Reason}")]
    public static partial void PullRequestRefused(ILogger logger, string repository, string branch, string reason);

    [LoggerMessage(EventId = 6150, Level = LogLevel.Warning, Message = "{Repository}#{PullRequest}: GitHub refused to request a review from {Login}: {Reason}")]
    public static partial void ReviewRequestRefused(ILogger logger, string repository, int pullRequest, string login, string reason);
}
