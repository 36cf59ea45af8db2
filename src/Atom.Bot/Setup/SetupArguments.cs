using System.Globalization;
using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace Atom.Bot.Setup;

/// <summary><c>atom setup</c>'s command line, checked: every value is usable, or <see cref="Parse"/> says which is not.</summary>
public sealed partial record SetupArguments(GitHubSite Site, string? Organization, Uri WebhookUrl, string OutputDirectory, int Port, string Name)
{
    public const string Usage = """
        usage: atom setup --webhook-url URL [--github-url URL] [--org ORG] [--name NAME] [--out DIR] [--port N]
          --webhook-url URL  the public address GitHub delivers events to (https://atom.example.com gets /api/github/webhooks);
                             trying Atom on this machine: a tunnel's URL (https://smee.io/<channel> with smee-client,
                             cloudflared, ngrok) forwarding to atom serve's port
          --github-url URL   GitHub Enterprise Server's address (default https://github.com)
          --org ORG          make the App in this organisation (default: your account)
          --name NAME        the App's name, unique on the GitHub (default atom-<ORG> or atom-<random>; editable on GitHub's page)
          --out DIR          where the private key and atom.env are written (default: the current directory)
          --port N           the local page's port on 127.0.0.1 (default: a free one)
        """;

    /// <summary>The arguments, or the one line that says what is wrong (with <see cref="Usage"/> for the caller to print).</summary>
    public static (SetupArguments? Arguments, string? Error) Parse(IReadOnlyList<string> args, string currentDirectory)
    {
        ArgumentNullException.ThrowIfNull(args);
        Uri? github = null;
        Uri? webhook = null;
        string? organization = null;
        string? name = null;
        var output = currentDirectory;
        var port = 0;
        for (var i = 0; i < args.Count; i++)
        {
            var option = args[i];
            if (i + 1 >= args.Count || option is not ("--github-url" or "--org" or "--webhook-url" or "--out" or "--port" or "--name"))
            {
                return (null, $"unexpected '{option}'");
            }

            var value = args[++i];
            var error = option switch
            {
                "--github-url" => TryWebUrl(value, out github) ? null : $"--github-url '{value}' is not an http(s) URL such as https://ghe.example.com",
                "--webhook-url" => TryWebUrl(value, out webhook) ? null : $"--webhook-url '{value}' is not an http(s) URL such as https://atom.example.com",
                "--org" => OrganizationPattern().IsMatch(value) ? null : $"--org '{value}' is not an organisation's login",
                "--name" => value.Trim().Length is > 0 and <= 34 ? null : "--name must have 1 to 34 characters (GitHub's limit for an App's name)",
                "--port" => int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out port) && port <= 65535 ? null : $"--port '{value}' is not a port number",
                _ => null,
            };
            if (error is not null)
            {
                return (null, error);
            }

            organization = option == "--org" ? value : organization;
            name = option == "--name" ? value.Trim() : name;
            output = option == "--out" ? Path.GetFullPath(value, currentDirectory) : output;
        }

        if (webhook is null)
        {
            // A placeholder would make an App whose deliveries all fail, unnoticed until the first labelled issue.
            return (null, "--webhook-url is required: the public address GitHub sends events to (Atom's /api/github/webhooks behind a reverse proxy, or a tunnel such as https://smee.io/<channel> while trying it)");
        }

        if (!Directory.Exists(output))
        {
            return (null, $"--out '{output}' is not a directory");
        }

        return (new SetupArguments(
            github is null ? GitHubSite.GitHubCom : GitHubSite.For(github),
            organization,
            AppManifest.WebhookUrl(webhook),
            output,
            port,
            name ?? (organization is null ? $"atom-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}" : $"atom-{organization}"[..Math.Min(34, organization.Length + 5)])), null);
    }

    private static bool TryWebUrl(string value, out Uri? url) =>
        Uri.TryCreate(value, UriKind.Absolute, out url) && url.Scheme is "https" or "http" && string.IsNullOrEmpty(url.UserInfo);

    [GeneratedRegex("^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$")]
    private static partial Regex OrganizationPattern();
}
