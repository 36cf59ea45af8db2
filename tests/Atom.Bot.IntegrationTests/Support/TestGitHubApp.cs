using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace Atom.Bot.IntegrationTests.Support;

/// <summary>Atom configured as a GitHub App (id 777) with installation 4242, for tests of installation tokens.</summary>
public static class TestGitHubApp
{
    public const long InstallationId = GitHubStub.AppInstallationId;

    /// <summary>The App's settings, its private key (RSA 2048) written once into <paramref name="keyDirectory"/>.</summary>
    public static Dictionary<string, string?> Environment(string keyDirectory)
    {
        var key = Path.Combine(keyDirectory, "app.pem");
        if (!File.Exists(key))
        {
            using var rsa = RSA.Create(2048);
            File.WriteAllText(key, rsa.ExportRSAPrivateKeyPem());
        }

        return new Dictionary<string, string?> { ["ATOM_GITHUB_APP_ID"] = "777", ["ATOM_GITHUB_APP_PRIVATE_KEY_PATH"] = key };
    }

    /// <summary>The delivery as the App's installation receives it.</summary>
    public static JsonObject WithInstallation(JsonObject payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        payload["installation"] = new JsonObject { ["id"] = InstallationId, ["node_id"] = "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMQ==" };
        return payload;
    }
}
