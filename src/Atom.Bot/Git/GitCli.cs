using System.Diagnostics;
using System.Text;

namespace Atom.Bot.Git;

/// <summary>
/// Runs the git command line. Every run is isolated from the machine's git configuration (no system or global config,
/// no credential helpers, no prompts, no inherited <c>GIT_*</c> variables), and a token travels only as an
/// <c>http.extraHeader</c> in the environment: never in arguments, URLs or any config file.
/// </summary>
internal static class GitCli
{
    // Inherited GIT_* variables are dropped (GIT_DIR would redirect every command; GIT_CURL_VERBOSE would print the
    // Authorization header) except these, which an operator may need for a corporate CA.
    private static readonly string[] KeptGitVariables = ["GIT_SSL_CAINFO", "GIT_SSL_CAPATH"];

    public static async Task<GitCliResult> RunAsync(
        string workingDirectory,
        IReadOnlyList<string> arguments,
        string? token,
        CancellationToken cancellationToken,
        string? standardInput = null)
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

        ConfigureEnvironment(start.Environment, token);

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

    private static void ConfigureEnvironment(IDictionary<string, string?> environment, string? token)
    {
        foreach (var name in environment.Keys.Where(k => k.StartsWith("GIT_", StringComparison.Ordinal) && !KeptGitVariables.Contains(k)).ToList())
        {
            environment.Remove(name);
        }

        environment.Remove("SSH_ASKPASS");
        environment["LC_ALL"] = "C";
        environment["GIT_TERMINAL_PROMPT"] = "0";
        environment["GIT_CONFIG_NOSYSTEM"] = "1";
        environment["GIT_CONFIG_GLOBAL"] = "/dev/null";

        var config = new List<(string Key, string Value)>
        {
            ("credential.helper", ""),
            ("core.askPass", ""),
            // gc --auto (run by fetch) stays in the foreground, inside the mirror lock, instead of detaching.
            ("gc.autoDetach", "false"),
        };
        if (!string.IsNullOrEmpty(token))
        {
            config.Add(("http.extraHeader", AuthorizationHeader(token)));
        }

        environment["GIT_CONFIG_COUNT"] = config.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
        for (var i = 0; i < config.Count; i++)
        {
            environment[$"GIT_CONFIG_KEY_{i}"] = config[i].Key;
            environment[$"GIT_CONFIG_VALUE_{i}"] = config[i].Value;
        }
    }
}
