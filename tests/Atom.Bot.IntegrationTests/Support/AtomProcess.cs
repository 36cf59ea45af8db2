using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Atom.Bot.IntegrationTests.Support;

/// <summary>
/// The service as its own process (<c>dotnet atom.dll serve</c>, the build the tests reference) on a loopback port,
/// configured only through its environment: an instance that a test can kill outright, as a crash or an OOM kill would,
/// with no chance to finish or give back what it holds.
/// </summary>
public sealed class AtomProcess : IAsyncDisposable
{
    private const int Attempts = 3;

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output;

    private AtomProcess(Process process, ConcurrentQueue<string> output, Uri address)
    {
        _process = process;
        _output = output;
        Client = new HttpClient { BaseAddress = address };
    }

    public HttpClient Client { get; }

    public int ProcessId => _process.Id;

    /// <summary>What the process wrote to stdout and stderr so far, for a failing test's message.</summary>
    public string Output => string.Join('\n', _output);

    /// <summary>
    /// Starts the service with <paramref name="environment"/> over the stub's GitHub, the test secrets and
    /// <paramref name="dataDir"/>; nothing of this process's own <c>ATOM_*</c> environment or configuration files leaks
    /// in. Returns once <c>/healthz</c> answers.
    /// </summary>
    /// <param name="executable">A published <c>atom</c> binary to run instead of the build the tests reference.</param>
    public static async Task<AtomProcess> StartAsync(GitHubStub github, string dataDir, IDictionary<string, string?> environment, string? executable = null)
    {
        ArgumentNullException.ThrowIfNull(github);
        ArgumentNullException.ThrowIfNull(environment);
        for (var attempt = 1; ; attempt++)
        {
            var port = LoopbackWireMock.FreePort();
            var output = new ConcurrentQueue<string>();
            var process = Launch(github, dataDir, environment, port, output, executable);
            var started = new AtomProcess(process, output, new Uri($"http://127.0.0.1:{port}"));
            if (await started.WaitUntilHealthyAsync())
            {
                return started;
            }

            await started.DisposeAsync();
            if (attempt == Attempts)
            {
                throw new InvalidOperationException($"atom serve did not become healthy on port {port}:\n{started.Output}");
            }
        }
    }

    private static Process Launch(GitHubStub github, string dataDir, IDictionary<string, string?> environment, int port, ConcurrentQueue<string> output, string? executable)
    {
        var start = new ProcessStartInfo(executable ?? "dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = dataDir,
        };
        if (executable is null)
        {
            start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "atom.dll"));
        }

        start.ArgumentList.Add("serve");
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add($"http://127.0.0.1:{port}");
        foreach (var inherited in start.Environment.Keys.Where(k => k.StartsWith("ATOM_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(inherited);
        }

        // HOME and the working directory are the data directory: no ~/.atom/config.yml or ./.atom.yml of the machine's.
        start.Environment["HOME"] = dataDir;
        start.Environment["ATOM_WEBHOOK_SECRET"] = AtomTestHost.WebhookSecret;
        start.Environment["ATOM_GITHUB_TOKEN"] = AtomTestHost.GitHubToken;
        start.Environment["ATOM_GITHUB_API_URL"] = github.Url;
        start.Environment["ATOM_DATA_DIR"] = dataDir;
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Collect(output, e.Data);
        process.ErrorDataReceived += (_, e) => Collect(output, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static void Collect(ConcurrentQueue<string> output, string? line)
    {
        if (line is not null)
        {
            // Stamped as received, so that a failure's output shows where the time went.
            output.Enqueue($"{DateTime.UtcNow:HH:mm:ss.fff} {line}");
        }
    }

    private async Task<bool> WaitUntilHealthyAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline && !_process.HasExited)
        {
            try
            {
                using var response = await Client.GetAsync(new Uri("/healthz", UriKind.Relative));
                if (response.IsSuccessStatusCode)
                {
                    return true;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(100);
        }

        return false;
    }

    /// <summary>Sends a webhook delivery signed as GitHub signs it.</summary>
    public async Task<HttpResponseMessage> SendAsync(string @event, JsonObject payload, string? deliveryId = null)
    {
        ArgumentNullException.ThrowIfNull(payload);
        using var request = AtomTestHost.Delivery(@event, payload.ToJsonString(), deliveryId);
        return await Client.SendAsync(request);
    }

    /// <summary>SIGKILL: the process ends where it stands, holding whatever it held.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await KillAsync();
        _process.Dispose();
    }
}
