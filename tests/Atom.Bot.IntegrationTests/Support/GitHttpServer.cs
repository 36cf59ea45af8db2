using System.Diagnostics;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Atom.Bot.IntegrationTests.Support;

/// <summary>
/// Smart HTTP git remote for tests and benchmarks: Kestrel on 127.0.0.1 (free port) in front of git's own
/// <c>git-http-backend</c> run as CGI, serving every bare repository under one root. Pushing needs basic auth as
/// <c>x-access-token:&lt;token&gt;</c> (as GitHub); fetching too when <c>requireAuthForFetch</c>. A wrong token is a 401.
/// </summary>
public sealed class GitHttpServer : IAsyncDisposable
{
    private const string User = "x-access-token";

    private readonly WebApplication _app;
    private int _authenticated;
    private int _refused;

    private GitHttpServer(WebApplication app) => _app = app;

    /// <summary>Base address, e.g. <c>http://127.0.0.1:41234</c>; a repository <c>name.git</c> under the root is at <see cref="RepositoryUrl"/>.</summary>
    public string Url { get; private set; } = "";

    /// <summary>Requests that carried the right token.</summary>
    public int AuthenticatedRequests => Volatile.Read(ref _authenticated);

    /// <summary>Requests answered 401 (no or wrong credentials).</summary>
    public int RefusedRequests => Volatile.Read(ref _refused);

    public string RepositoryUrl(string name) => $"{Url}/{name}.git";

    public static async Task<GitHttpServer> StartAsync(string projectRoot, string token, bool requireAuthForFetch = false)
    {
        var backend = Path.Combine(GitExecPath(), "git-http-backend");
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = null);
        var app = builder.Build();
        var server = new GitHttpServer(app);
        app.Run(context => server.HandleAsync(context, backend, projectRoot, token, requireAuthForFetch));
        await app.StartAsync();
        server.Url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context, string backend, string projectRoot, string token, bool requireAuthForFetch)
    {
        var request = context.Request;
        var isPush = request.Path.Value!.EndsWith("/git-receive-pack", StringComparison.Ordinal)
            || request.Query["service"] == "git-receive-pack";
        var credentials = Credentials(request);
        var authenticated = credentials == (User, token);
        if (credentials is not null && !authenticated || credentials is null && (isPush || requireAuthForFetch))
        {
            Interlocked.Increment(ref _refused);
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            context.Response.Headers.WWWAuthenticate = "Basic realm=\"GitHttpServer\"";
            return;
        }

        if (authenticated)
        {
            Interlocked.Increment(ref _authenticated);
        }

        var start = new ProcessStartInfo(backend)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("GIT_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(name);
        }

        var env = start.Environment;
        env["GIT_PROJECT_ROOT"] = projectRoot;
        env["GIT_HTTP_EXPORT_ALL"] = "1";
        env["GIT_CONFIG_NOSYSTEM"] = "1";
        env["GIT_CONFIG_GLOBAL"] = "/dev/null";
        env["GATEWAY_INTERFACE"] = "CGI/1.1";
        env["SERVER_PROTOCOL"] = "HTTP/1.1";
        env["REQUEST_METHOD"] = request.Method;
        env["PATH_INFO"] = request.Path.Value;
        env["QUERY_STRING"] = request.QueryString.HasValue ? request.QueryString.Value![1..] : "";
        env["REMOTE_ADDR"] = "127.0.0.1";
        env["CONTENT_TYPE"] = request.ContentType ?? "";
        if (request.ContentLength is { } length)
        {
            env["CONTENT_LENGTH"] = length.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        if (request.Headers.ContentEncoding.Count > 0)
        {
            env["HTTP_CONTENT_ENCODING"] = request.Headers.ContentEncoding.ToString();
        }

        if (request.Headers.TryGetValue("Git-Protocol", out var protocol))
        {
            env["GIT_PROTOCOL"] = protocol.ToString();
        }

        if (authenticated)
        {
            // git-http-backend enables receive-pack only for an authenticated user.
            env["REMOTE_USER"] = User;
        }

        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var feed = FeedAsync(request.Body, process.StandardInput, context.RequestAborted);

        var output = process.StandardOutput.BaseStream;
        var (status, headers, rest) = await ReadCgiHeadersAsync(output, context.RequestAborted);
        context.Response.StatusCode = status;
        foreach (var (name, value) in headers)
        {
            context.Response.Headers.Append(name, value);
        }

        await context.Response.Body.WriteAsync(rest, context.RequestAborted);
        await output.CopyToAsync(context.Response.Body, context.RequestAborted);
        await process.WaitForExitAsync(context.RequestAborted);
        await feed;
        await stderr;
    }

    // Fed concurrently with reading the answer, so neither side can block on a full pipe.
    private static async Task FeedAsync(Stream body, StreamWriter input, CancellationToken cancellationToken)
    {
        await body.CopyToAsync(input.BaseStream, cancellationToken);
        input.Close();
    }

    private static (string User, string Password)? Credentials(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        try
        {
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..].Trim()));
            var colon = decoded.IndexOf(':', StringComparison.Ordinal);
            return colon < 0 ? (decoded, "") : (decoded[..colon], decoded[(colon + 1)..]);
        }
        catch (FormatException)
        {
            return ("", "");
        }
    }

    private static async Task<(int Status, List<(string Name, string Value)> Headers, byte[] Body)> ReadCgiHeadersAsync(Stream output, CancellationToken cancellationToken)
    {
        var buffer = new MemoryStream();
        var chunk = new byte[8192];
        while (true)
        {
            var read = await output.ReadAsync(chunk, cancellationToken);
            if (read > 0)
            {
                buffer.Write(chunk, 0, read);
            }

            var bytes = buffer.GetBuffer().AsSpan(0, (int)buffer.Length);
            var end = bytes.IndexOf("\r\n\r\n"u8);
            var separator = 4;
            if (end < 0)
            {
                end = bytes.IndexOf("\n\n"u8);
                separator = 2;
            }

            if (end >= 0 || read == 0)
            {
                var headerText = Encoding.ASCII.GetString(bytes[..Math.Max(end, 0)]);
                var rest = end >= 0 ? bytes[(end + separator)..].ToArray() : [];
                var status = (int)HttpStatusCode.OK;
                var headers = new List<(string, string)>();
                foreach (var line in headerText.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                {
                    var colon = line.IndexOf(':', StringComparison.Ordinal);
                    if (colon <= 0)
                    {
                        continue;
                    }

                    var name = line[..colon].Trim();
                    var value = line[(colon + 1)..].Trim();
                    if (name.Equals("Status", StringComparison.OrdinalIgnoreCase))
                    {
                        status = int.Parse(value.Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
                    }
                    else
                    {
                        headers.Add((name, value));
                    }
                }

                return (status, headers, rest);
            }
        }
    }

    private static string GitExecPath()
    {
        using var process = Process.Start(new ProcessStartInfo("git", "--exec-path") { RedirectStandardOutput = true, UseShellExecute = false })!;
        var path = process.StandardOutput.ReadToEnd().Trim();
        process.WaitForExit();
        return path;
    }
}
