using System.Diagnostics;
using System.Text;

namespace Atom.Bot.Git;

/// <summary>
/// Runs the git command line. Every run is isolated from the machine's git configuration (no system or global config,
/// no hooks, no fsmonitor, no credential helpers, no prompts) and from Atom's own environment (nothing but PATH, proxy
/// and CA variables is passed on), and a token travels only as an <c>http.extraHeader</c> in the environment: never in
/// arguments, URLs or any config file.
/// </summary>
internal static class GitCli
{
    // The environment git runs with is built from nothing but these: no ATOM_* variable (the webhook secret, the LLM
    // key), no inherited GIT_* variable (GIT_DIR would redirect every command, GIT_CURL_VERBOSE would print the
    // Authorization header), only what finding programs and reaching the remote through a corporate proxy or CA needs.
    private static readonly string[] KeptVariables =
    [
        "PATH", "TMPDIR", "GIT_SSL_CAINFO", "GIT_SSL_CAPATH", "SSL_CERT_FILE", "SSL_CERT_DIR",
        "http_proxy", "https_proxy", "no_proxy", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "ALL_PROXY", "all_proxy",
    ];

    public static async Task<GitCliResult> RunAsync(
        string workingDirectory,
        IReadOnlyList<string> arguments,
        string? token,
        CancellationToken cancellationToken,
        string? standardInput = null,
        IReadOnlyList<(string Key, string Value)>? config = null)
    {
        var start = new ProcessStartInfo("git")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        ConfigureEnvironment(start.Environment, token, config ?? []);

        using var process = new Process { StartInfo = start };
        process.Start();
        try
        {
            var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
            if (standardInput is not null)
            {
                await process.StandardInput.WriteAsync(standardInput.AsMemory(), cancellationToken);
            }

            process.StandardInput.Close();
            await process.WaitForExitAsync(cancellationToken);
            return new GitCliResult(process.ExitCode, Scrub(await stdout, token), Scrub(await stderr, token));
        }
        catch (OperationCanceledException)
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            throw;
        }
    }

    /// <summary>The value of the <c>Authorization</c> header git sends: basic auth as <c>x-access-token:&lt;token&gt;</c>.</summary>
    public static string AuthorizationHeader(string token) =>
        "Authorization: Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("x-access-token:" + token));

    /// <summary>Removes the token, and its base64 form, from text that may be logged or returned.</summary>
    public static string Scrub(string text, string? token)
    {
        if (string.IsNullOrEmpty(token) || string.IsNullOrEmpty(text))
        {
            return text;
        }

        var encoded = Convert.ToBase64String(Encoding.UTF8.GetBytes("x-access-token:" + token));
        return text.Replace(encoded, "***", StringComparison.Ordinal).Replace(token, "***", StringComparison.Ordinal);
    }

    private static void ConfigureEnvironment(IDictionary<string, string?> environment, string? token, IReadOnlyList<(string Key, string Value)> extra)
    {
        var kept = KeptVariables.Where(environment.ContainsKey).ToDictionary(k => k, k => environment[k], StringComparer.Ordinal);
        environment.Clear();
        foreach (var (name, value) in kept)
        {
            environment[name] = value;
        }

        environment["LC_ALL"] = "C";
        environment["GIT_TERMINAL_PROMPT"] = "0";
        environment["GIT_CONFIG_NOSYSTEM"] = "1";
        environment["GIT_CONFIG_GLOBAL"] = "/dev/null";

        // Command-line config outranks the repository's own: whatever a mirror's config says (GitMirrors also removes
        // every key Atom did not write), no hook, fsmonitor, credential helper, askpass or ext:: transport runs.
        var config = new List<(string Key, string Value)>
        {
            ("core.hooksPath", "/dev/null"),
            ("core.fsmonitor", "false"),
            ("credential.helper", ""),
            ("core.askPass", ""),
            ("protocol.ext.allow", "never"),
            // gc --auto (run by fetch) stays in the foreground, inside the mirror lock, instead of detaching.
            ("gc.autoDetach", "false"),
        };
        if (!string.IsNullOrEmpty(token))
        {
            config.Add(("http.extraHeader", AuthorizationHeader(token)));
        }

        // A step's own settings (the signing key of a signed commit), added last so that they are what git reads.
        config.AddRange(extra);

        environment["GIT_CONFIG_COUNT"] = config.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
        for (var i = 0; i < config.Count; i++)
        {
            environment[$"GIT_CONFIG_KEY_{i}"] = config[i].Key;
            environment[$"GIT_CONFIG_VALUE_{i}"] = config[i].Value;
        }
    }
}
