using System.Diagnostics;

namespace Atom.Bot.IntegrationTests.Configuration;

/// <summary>The real <c>atom</c> executable, started as a process.</summary>
public sealed class StartupTests
{
    [Fact]
    public async Task Serve_without_webhook_secret_exits_non_zero_with_one_line_naming_the_variable()
    {
        var (exit, stdout, stderr) = await RunAtomAsync(["serve"], new());

        exit.ShouldNotBe(0);
        stdout.ShouldBeEmpty();
        stderr.Trim().Split('\n').ShouldHaveSingleItem().ShouldContain("ATOM_WEBHOOK_SECRET");
    }

    [Fact]
    public async Task An_offline_command_runs_without_the_webhook_secret_the_service_needs()
    {
        var dataDir = Directory.CreateTempSubdirectory("atom-offline-").FullName;

        var (_, _, stderr) = await RunAtomAsync(["usage"], new() { ["ATOM_DATA_DIR"] = dataDir });

        // It got past the configuration to its own work: there is no store in an empty data directory yet.
        stderr.ShouldNotContain("ATOM_WEBHOOK_SECRET");
        stderr.ShouldContain("no store yet");
    }

    [Fact]
    public void The_service_refuses_to_start_its_webhook_endpoint_without_a_secret()
    {
        // An offline command's options carry no secret; Octokit's endpoint would take an empty one as "unsigned is fine".
        var dataDir = Directory.CreateTempSubdirectory("atom-offline-").FullName;
        var options = Atom.Bot.Configuration.AtomConfiguration.Load(new Dictionary<string, string?> { ["ATOM_DATA_DIR"] = dataDir }, dataDir, dataDir, forService: false).Options!;

        Should.Throw<InvalidOperationException>(() => Program.BuildService(options, ["--urls", "http://127.0.0.1:0"]))
            .Message.ShouldContain("ATOM_WEBHOOK_SECRET");
    }

    [Fact]
    public async Task Serve_with_a_malformed_number_names_the_variable_and_value()
    {
        var (exit, _, stderr) = await RunAtomAsync(["serve"], new() { ["ATOM_WEBHOOK_SECRET"] = "x-secret-1", ["ATOM_LLM_CONCURRENCY"] = "lots" });

        exit.ShouldNotBe(0);
        stderr.ShouldContain("ATOM_LLM_CONCURRENCY");
        stderr.ShouldContain("'lots'");
    }

    [Fact]
    public async Task Config_prints_every_variable_with_secrets_masked()
    {
        var (exit, stdout, _) = await RunAtomAsync(["config"], new() { ["ATOM_WEBHOOK_SECRET"] = "x-secret-value-99", ["ATOM_GITHUB_TOKEN"] = "tok-secret-value-98" });

        exit.ShouldBe(0);
        stdout.ShouldNotContain("x-secret-value-99");
        stdout.ShouldNotContain("tok-secret-value-98");
        foreach (var setting in Atom.Bot.Configuration.AtomConfiguration.Settings)
        {
            stdout.ShouldContain(setting.Variable);
        }
    }

    /// <summary>Runs the built <c>atom</c> executable in a fresh directory, with no ATOM_* variable but <paramref name="environment"/>.</summary>
    internal static async Task<(int Exit, string Stdout, string Stderr)> RunAtomAsync(string[] args, Dictionary<string, string> environment)
    {
        var work = Directory.CreateTempSubdirectory("atom-proc-").FullName;
        try
        {
            var start = new ProcessStartInfo("dotnet")
            {
                WorkingDirectory = work,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "atom.dll"));
            foreach (var arg in args)
            {
                start.ArgumentList.Add(arg);
            }

            foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("ATOM_", StringComparison.Ordinal)).ToList())
            {
                start.Environment.Remove(key);
            }

            start.Environment["HOME"] = work;
            start.Environment["ATOM_DATA_DIR"] = Path.Combine(work, "data");
            foreach (var (key, value) in environment)
            {
                start.Environment[key] = value;
            }

            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await process.WaitForExitAsync(timeout.Token);
            return (process.ExitCode, await stdout, await stderr);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}
