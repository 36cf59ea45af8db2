using System.Globalization;
using Atom.Bot.Configuration;

namespace Atom.Bot.Doctor;

/// <summary>
/// <c>atom doctor [--probe-max N]</c>: checks the configuration, this machine, GitHub and the LLM endpoints, one line
/// each (ok, warn or FAIL with the fix), and exits 1 when anything failed.
/// </summary>
public static class DoctorCommand
{
    public const string Usage = "usage: atom doctor [--probe-max N]   (N: most LLM requests in flight the concurrency probe tries, default 8; 0 skips it)";

    private const int DefaultProbeMax = 8;
    private const int MostProbeMax = 64;

    public static async Task<int> RunAsync(string[] args, ConfigurationResult configuration, TextWriter output, TextWriter error, HttpMessageHandler? http, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        var probeMax = DefaultProbeMax;
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--probe-max" && i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var max) && max <= MostProbeMax)
            {
                probeMax = max;
                i++;
                continue;
            }

            await error.WriteLineAsync($"atom doctor: unexpected '{args[i]}'\n{Usage}".AsMemory(), cancellationToken);
            return 2;
        }

        var findings = new List<DoctorFinding>();
        async Task ShowAsync(IEnumerable<DoctorFinding> found)
        {
            foreach (var finding in found)
            {
                findings.Add(finding);
                await output.WriteLineAsync(finding.ToString().AsMemory(), cancellationToken);
            }
        }

        await ShowAsync(Configuration(configuration));
        if (configuration.Options is { } options)
        {
            using var client = http is null ? new HttpClient() : new HttpClient(http, disposeHandler: false);
            client.Timeout = TimeSpan.FromSeconds(Math.Max(30, options.LlmTimeoutSeconds));
            await ShowAsync(await LocalChecks.RunAsync(options, cancellationToken));
            await ShowAsync(await new GitHubChecks(options, client, TimeProvider.System).RunAsync(cancellationToken));
            await ShowAsync(await new LlmChecks(options, client, probeMax).RunAsync(cancellationToken));
            await ShowAsync(await McpChecks.RunAsync(options, cancellationToken));
        }

        var failures = findings.Count(f => f.Level == DoctorLevel.Fail);
        await output.WriteLineAsync($"{findings.Count(f => f.Level == DoctorLevel.Ok)} ok, {findings.Count(f => f.Level == DoctorLevel.Warn)} warnings, {failures} failures".AsMemory(), cancellationToken);
        return failures == 0 ? 0 : 1;
    }

    internal static IEnumerable<DoctorFinding> Configuration(ConfigurationResult configuration)
    {
        if (!configuration.IsValid)
        {
            foreach (var problem in configuration.Errors)
            {
                yield return DoctorFinding.Fail("configuration", problem, "set it in the environment, ./.atom.yml or ~/.atom/config.yml (`atom config` shows where each value comes from)");
            }

            yield break;
        }

        var set = configuration.Values.Where(v => v.Source is not (ConfigurationSource.Default or ConfigurationSource.Unset)).ToList();
        yield return DoctorFinding.Ok("configuration", $"valid; {set.Count} setting(s) given ({string.Join(", ", set.GroupBy(v => v.Source).Select(g => $"{g.Count()} from {Describe(g.Key)}"))}), the rest default");
        var secret = configuration.Options!.WebhookSecret;
        if (secret.Length < 20)
        {
            yield return DoctorFinding.Warn("webhook secret", $"only {secret.Length} characters: a guessable secret lets anyone forge deliveries", "generate one with `openssl rand -hex 32` and set it in the App's (or webhook's) settings and ATOM_WEBHOOK_SECRET");
        }
        else
        {
            yield return DoctorFinding.Ok("webhook secret", $"set, {secret.Length} characters");
        }
    }

    private static string Describe(ConfigurationSource source) => source switch
    {
        ConfigurationSource.Environment => "the environment",
        ConfigurationSource.WorkingDirectoryFile => "./.atom.yml",
        ConfigurationSource.UserFile => "~/.atom/config.yml",
        _ => source.ToString(),
    };
}
