using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Atom.Bot.Configuration;
using Atom.Bot.GitHub;

namespace Atom.Bot.Doctor;

/// <summary>
/// What <c>atom doctor</c> asks GitHub: as an App, whether GitHub takes its JWT and, for each installation, whether it
/// grants the permissions and events Atom needs; with a personal token, whose it is and (classic tokens) its scopes.
/// </summary>
public sealed class GitHubChecks(AtomOptions options, HttpClient http, TimeProvider clock)
{
    private const string Subject = "GitHub";

    public async Task<IReadOnlyList<DoctorFinding>> RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (options.GitHubAppId is { } appId && options.GitHubAppPrivateKeyPath is { } keyPath)
            {
                return await AppAsync(appId, keyPath, cancellationToken);
            }

            if (options.GitHubToken is { } token)
            {
                return [await TokenAsync(token, cancellationToken)];
            }

            return [DoctorFinding.Fail(Subject, "no credentials", "set ATOM_GITHUB_APP_ID and ATOM_GITHUB_APP_PRIVATE_KEY_PATH (recommended), or ATOM_GITHUB_TOKEN")];
        }
        catch (HttpRequestException e)
        {
            return [DoctorFinding.Fail(Subject, $"{Api("")} cannot be reached: {e.Message}", "check ATOM_GITHUB_API_URL and this machine's route to it (proxy, firewall)")];
        }
    }

    private async Task<IReadOnlyList<DoctorFinding>> AppAsync(long appId, string keyPath, CancellationToken cancellationToken)
    {
        string jwt;
        try
        {
            jwt = GitHubAppJwt.Create(appId, await File.ReadAllTextAsync(keyPath, cancellationToken), clock.GetUtcNow());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or System.Security.Cryptography.CryptographicException)
        {
            return [DoctorFinding.Fail(Subject, "no JWT can be signed with the App's key", "see the GitHub App key line above")];
        }

        using var app = await GetAsync("app", jwt, cancellationToken);
        if (!app.IsSuccessStatusCode)
        {
            return [DoctorFinding.Fail(Subject, $"GitHub refused the App's JWT ({(int)app.StatusCode}: {await MessageAsync(app, cancellationToken)})", "check that ATOM_GITHUB_APP_ID is the App ID of the App the private key belongs to, and this machine's clock")];
        }

        var slug = (await ReadAsync(app, cancellationToken)).GetProperty("slug").GetString();
        var findings = new List<DoctorFinding> { DoctorFinding.Ok(Subject, $"GitHub App {slug} (id {appId}) takes Atom's JWT") };
        using var listed = await GetAsync("app/installations?per_page=100", jwt, cancellationToken);
        if (!listed.IsSuccessStatusCode)
        {
            findings.Add(DoctorFinding.Fail(Subject, $"the App's installations cannot be listed ({(int)listed.StatusCode}: {await MessageAsync(listed, cancellationToken)})", "retry; GitHub may be unavailable"));
            return findings;
        }

        var installations = (await ReadAsync(listed, cancellationToken)).EnumerateArray().ToList();
        if (installations.Count == 0)
        {
            findings.Add(DoctorFinding.Warn(Subject, $"App {slug} is installed nowhere: no repository can use Atom yet", $"install it on the repositories Atom may work on (the App's page, Install App)"));
        }

        findings.AddRange(installations.Select(Installation));
        return findings;
    }

    internal static DoctorFinding Installation(JsonElement installation)
    {
        var account = installation.TryGetProperty("account", out var owner) && owner.ValueKind == JsonValueKind.Object ? owner.GetProperty("login").GetString() : "?";
        var subject = $"installation {installation.GetProperty("id").GetInt64()} ({account})";
        if (installation.TryGetProperty("suspended_at", out var suspended) && suspended.ValueKind == JsonValueKind.String)
        {
            return DoctorFinding.Fail(subject, $"suspended since {suspended.GetString()}", "unsuspend the installation in the account's settings (Installed GitHub Apps)");
        }

        var granted = installation.TryGetProperty("permissions", out var permissions) && permissions.ValueKind == JsonValueKind.Object
            ? permissions.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? "", StringComparer.Ordinal)
            : [];
        var events = installation.TryGetProperty("events", out var subscribed) && subscribed.ValueKind == JsonValueKind.Array
            ? subscribed.EnumerateArray().Select(e => e.GetString() ?? "").ToHashSet(StringComparer.Ordinal)
            : [];
        var missing = AppRequirements.Permissions.Where(n => !Covers(granted.GetValueOrDefault(n.Key), n.Value)).Select(n => $"{n.Key}:{n.Value}").ToList();
        var missingEvents = AppRequirements.Events.Where(e => !events.Contains(e)).ToList();
        if (missing.Count > 0 || missingEvents.Count > 0)
        {
            var what = string.Join("; ", new[]
            {
                missing.Count > 0 ? $"permissions missing: {string.Join(", ", missing)}" : null,
                missingEvents.Count > 0 ? $"events not subscribed: {string.Join(", ", missingEvents)}" : null,
            }.Where(w => w is not null));
            return DoctorFinding.Fail(subject, what, "add them in the App's settings (Permissions & events); GitHub then asks the installation's owner to accept the new permissions");
        }

        var optional = new List<string>();
        if (!Covers(granted.GetValueOrDefault("administration"), "read"))
        {
            optional.Add("administration:read (classic branch protection is not read; rulesets are)");
        }

        if (AppRequirements.ProtectedBranchEvents.Any(e => !events.Contains(e)))
        {
            optional.Add($"events {string.Join(", ", AppRequirements.ProtectedBranchEvents.Where(e => !events.Contains(e)))} (a merge waiting on required checks is only retried on the next signal)");
        }

        return optional.Count == 0
            ? DoctorFinding.Ok(subject, "every permission and event Atom uses")
            : DoctorFinding.Warn(subject, $"what Atom needs is granted; optional and missing: {string.Join("; ", optional)}", "add them in the App's settings when the repositories' default branches are protected");
    }

    private async Task<DoctorFinding> TokenAsync(string token, CancellationToken cancellationToken)
    {
        using var user = await GetAsync("user", token, cancellationToken);
        if (user.StatusCode == HttpStatusCode.Unauthorized)
        {
            return DoctorFinding.Fail(Subject, "GitHub refused ATOM_GITHUB_TOKEN (401: expired, revoked or mistyped)", "create a new fine-grained token (README, \"With a personal access token\") and set ATOM_GITHUB_TOKEN");
        }

        if (!user.IsSuccessStatusCode)
        {
            return DoctorFinding.Fail(Subject, $"GET /user answered {(int)user.StatusCode}: {await MessageAsync(user, cancellationToken)}", "retry; GitHub may be unavailable");
        }

        var login = (await ReadAsync(user, cancellationToken)).GetProperty("login").GetString();
        if (!user.Headers.TryGetValues("X-OAuth-Scopes", out var scopeHeaders))
        {
            return DoctorFinding.Ok(Subject, $"a fine-grained token of {login} (GitHub lists no scopes for those: it needs Issues, Pull requests and Contents, read and write, on each repository)");
        }

        var scopes = scopeHeaders.SelectMany(h => h.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)).ToHashSet(StringComparer.Ordinal);
        return scopes.Contains("repo") || scopes.Contains("public_repo")
            ? DoctorFinding.Warn(Subject, $"a classic token of {login} with scopes {string.Join(", ", scopes.Order(StringComparer.Ordinal))}: it reaches every repository {login} can", "prefer a fine-grained token limited to the repositories Atom works on")
            : DoctorFinding.Fail(Subject, $"a classic token of {login} without the repo scope (scopes: {(scopes.Count == 0 ? "none" : string.Join(", ", scopes.Order(StringComparer.Ordinal)))})", "give the token the repo scope, or use a fine-grained token");
    }

    private static bool Covers(string? granted, string wanted) => granted is "write" or "admin" || (granted == "read" && wanted == "read");

    private Uri Api(string path) => new(GitHubConnectionFactory.ApiBase(options.GitHubApiUrl), path);

    private async Task<HttpResponseMessage> GetAsync(string path, string bearer, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Api(path));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/vnd.github+json"));
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("atom-doctor", "1.0"));
        request.Headers.Add("X-GitHub-Api-Version", "2022-11-28");
        return await http.SendAsync(request, cancellationToken);
    }

    private static async Task<JsonElement> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var document = await JsonDocument.ParseAsync(body, cancellationToken: cancellationToken);
        return document.RootElement.Clone();
    }

    private async Task<string> MessageAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        try
        {
            using var document = JsonDocument.Parse(text);
            if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("message", out var message))
            {
                text = message.GetString() ?? text;
            }
        }
        catch (JsonException)
        {
            // Not JSON (a proxy's page): show its start.
        }

        return Redaction.Redact(text.Length > 200 ? text[..200] : text, options.Secrets());
    }
}
