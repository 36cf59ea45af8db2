using Microsoft.Extensions.Logging;

namespace Atom.Bot.GitHub;

/// <summary>The GitHub area's log events (5301–5399). Never a token, a JWT or the private key.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 5301, Level = LogLevel.Debug, Message = "Installation token for installation {InstallationId}, repository {RepositoryId}, access {Access}, until {ExpiresAt}")]
    public static partial void TokenIssued(ILogger logger, long installationId, long repositoryId, string access, DateTimeOffset expiresAt);

    [LoggerMessage(EventId = 5302, Level = LogLevel.Error, Message = "GitHub refused an installation token for installation {InstallationId}, repository {RepositoryId}, access {Access}: HTTP {Status} {Reason}")]
    public static partial void TokenRefused(ILogger logger, long installationId, long repositoryId, string access, int status, string reason);
}
