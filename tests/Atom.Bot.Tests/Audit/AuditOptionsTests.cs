using Atom.Bot.Audit;
using Atom.Bot.Configuration;

namespace Atom.Bot.Tests.Audit;

public sealed class AuditOptionsTests
{
    [Fact]
    public void From_puts_the_key_directory_under_the_data_directory()
    {
        AuditOptions.From(Options()).KeyDirectory.ShouldBe("/var/lib/atom/keys");
    }

    private static AtomOptions Options() => new()
    {
        WebhookSecret = "unused",
        GitHubApiUrl = new Uri("http://127.0.0.1:9/"),
        LlmBaseUrl = new Uri("http://127.0.0.1:9/v1"),
        LlmModel = "unused",
        LlmConcurrency = 1,
        AuditorBaseUrl = new Uri("http://127.0.0.1:9/v1"),
        AuditorModel = "unused",
        DataDir = "/var/lib/atom",
        JobStorage = "memory",
        LlmTimeoutSeconds = 120,
        WorkerMaxSteps = 40,
        MaxAssignments = 4,
        GitAuthorName = "atom-bot",
        GitAuthorEmail = "atom-bot@users.noreply.example.com",
    };
}
