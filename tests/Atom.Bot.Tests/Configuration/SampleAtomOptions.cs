using Atom.Bot.Configuration;

namespace Atom.Bot.Tests.Configuration;

/// <summary>Complete options with a distinct value in every field, so that a slice's tests can tell each copy apart.</summary>
internal static class SampleAtomOptions
{
    public const string WebhookSecret = "sample-webhook-secret-0123456789";
    public const string GitHubToken = "sample-github-token-0123456789";
    public const string LlmApiKey = "sample-llm-api-key-0123456789";

    public static AtomOptions Create() => new()
    {
        WebhookSecret = WebhookSecret,
        GitHubApiUrl = new Uri("https://github.example.com/api/v3/"),
        GitHubToken = GitHubToken,
        GitHubAppId = 4242,
        GitHubAppPrivateKeyPath = "/etc/atom/app.pem",
        LlmBaseUrl = new Uri("http://llm.example/v1"),
        LlmModel = "main-model",
        LlmApiKey = LlmApiKey,
        LlmConcurrency = 3,
        AuditorBaseUrl = new Uri("http://auditor.example/v1"),
        AuditorModel = "auditor-model",
        DataDir = "/var/lib/atom",
        JobStorage = "memory",
        LlmTimeoutSeconds = 77,
        WorkerMaxSteps = 40,
        MaxAssignments = 6,
        GitAuthorName = "atom-bot",
        GitAuthorEmail = "atom-bot@users.noreply.example.com",
    };
}
