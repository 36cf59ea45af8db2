using Microsoft.Extensions.Logging;

namespace Atom.Bot.Git;

/// <summary>The git area's log events (5201–5299). Never a token: git's messages are scrubbed before they get here.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 5201, Level = LogLevel.Information, Message = "Created the mirror of {Owner}/{Name} at {Path}")]
    public static partial void MirrorCreated(ILogger logger, string owner, string name, string path);

    [LoggerMessage(EventId = 5202, Level = LogLevel.Debug, Message = "Fetched {Owner}/{Name} in {ElapsedMilliseconds} ms")]
    public static partial void Fetched(ILogger logger, string owner, string name, long elapsedMilliseconds);

    [LoggerMessage(EventId = 5203, Level = LogLevel.Information, Message = "Worktree for {Branch} at {Path}, starting at {StartSha} (remote branch existed: {Existed}; base {BaseBranch})")]
    public static partial void WorktreeReady(ILogger logger, string branch, string path, string startSha, bool existed, string baseBranch);

    [LoggerMessage(EventId = 5204, Level = LogLevel.Information, Message = "Committed {Sha} on {Branch}: {Files} file(s), +{Added} -{Removed}")]
    public static partial void Committed(ILogger logger, string sha, string branch, int files, int added, int removed);

    [LoggerMessage(EventId = 5205, Level = LogLevel.Information, Message = "Nothing to commit on {Branch}")]
    public static partial void NothingToCommit(ILogger logger, string branch);

    [LoggerMessage(EventId = 5206, Level = LogLevel.Information, Message = "Pushed {Sha} to {Branch} of {Owner}/{Name}")]
    public static partial void Pushed(ILogger logger, string sha, string branch, string owner, string name);

    [LoggerMessage(EventId = 5207, Level = LogLevel.Warning, Message = "Push of {Sha} to {Branch} of {Owner}/{Name} failed ({Failure}): {Reason}")]
    public static partial void PushFailed(ILogger logger, string sha, string branch, string owner, string name, PushFailure failure, string reason);

    [LoggerMessage(EventId = 5208, Level = LogLevel.Information, Message = "Removed the worktree at {Path}")]
    public static partial void WorktreeRemoved(ILogger logger, string path);

    [LoggerMessage(EventId = 5209, Level = LogLevel.Information, Message = "Combined {Count} branch(es) into {Target} at {Sha}")]
    public static partial void Combined(ILogger logger, int count, string target, string sha);

    [LoggerMessage(EventId = 5210, Level = LogLevel.Warning, Message = "Combining into {Target} failed ({Failure}): {Reason}")]
    public static partial void CombineFailed(ILogger logger, string target, CombineFailure failure, string reason);

    [LoggerMessage(EventId = 5211, Level = LogLevel.Debug, Message = "git {Command} exited with {ExitCode}: {StandardError}")]
    public static partial void CommandFailed(ILogger logger, string command, int exitCode, string standardError);

    [LoggerMessage(EventId = 5212, Level = LogLevel.Warning, Message = "Skipped {Path} on {Branch}: larger than {MaxBytes} bytes or not a regular file")]
    public static partial void FileSkipped(ILogger logger, string path, string branch, int maxBytes);

    [LoggerMessage(EventId = 5213, Level = LogLevel.Warning, Message = "A removed worktree's files at {Path} could not be deleted: {Reason}")]
    public static partial void TrashNotDeleted(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 5214, Level = LogLevel.Debug, Message = "Spare worktree for {Owner}/{Name} ready at {Path} ({StartSha})")]
    public static partial void SpareReady(ILogger logger, string owner, string name, string path, string startSha);

    [LoggerMessage(EventId = 5215, Level = LogLevel.Debug, Message = "Spare worktree {Spare} moved to {Path} and checked out at {StartSha}")]
    public static partial void SpareTaken(ILogger logger, string spare, string path, string startSha);

    [LoggerMessage(EventId = 5216, Level = LogLevel.Warning, Message = "Spare worktree {Path} discarded: {Reason}")]
    public static partial void SpareDiscarded(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 5217, Level = LogLevel.Warning, Message = "Spare worktrees for {Owner}/{Name} could not be made: {Reason}")]
    public static partial void SparesFailed(ILogger logger, string owner, string name, string reason);

    [LoggerMessage(EventId = 5218, Level = LogLevel.Warning, Message = "Spare worktree {Path} was not a clean checkout ({Dirt}); cleaning it before use")]
    public static partial void SpareCleaned(ILogger logger, string path, string dirt);

    [LoggerMessage(EventId = 5219, Level = LogLevel.Warning, Message = "Removed '{Key}' from the config of the mirror {Mirror}: Atom did not write it")]
    public static partial void MirrorConfigRemoved(ILogger logger, string mirror, string key);

    [LoggerMessage(EventId = 5231, Level = LogLevel.Information, Message = "Created the git signing key {Path}")]
    public static partial void SigningKeyCreated(ILogger logger, string path);

    [LoggerMessage(EventId = 5232, Level = LogLevel.Information, Message = "Signed {Sha} on {Branch} with the SSH key {Fingerprint}")]
    public static partial void CommitSigned(ILogger logger, string sha, string branch, string fingerprint);
}
