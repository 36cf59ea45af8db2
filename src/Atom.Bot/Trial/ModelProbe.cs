using System.Net.Http.Headers;
using Atom.Bot.Configuration;
using Atom.Bot.Llm;

namespace Atom.Bot.Trial;

/// <summary>
/// Before <c>atom try</c> starts anything: does a model answer at <c>ATOM_LLM_BASE_URL</c>? Without one the run could
/// only fail later, so it stops here and says how to start a server.
/// </summary>
internal static class ModelProbe
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    /// <summary>Null when <c>GET {base}/models</c> answers 2xx; else what went wrong, in words.</summary>
    public static async Task<string?> ProblemAsync(AtomOptions options, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = Timeout };
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(options.LlmBaseUrl.ToString().TrimEnd('/') + "/models"));
        if (options.LlmApiKey is { } key)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        try
        {
            using var response = await http.SendAsync(request, cancellationToken);
            return response.IsSuccessStatusCode ? null : $"it answered {(int)response.StatusCode} {response.ReasonPhrase} to GET /models";
        }
        catch (HttpRequestException ex)
        {
            return ex.HttpRequestError == HttpRequestError.ConnectionError ? "nothing is listening there" : ex.Message;
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return $"it did not answer within {Timeout.TotalSeconds:0} s";
        }
    }

    public static string Advice(AtomOptions options, string problem)
    {
        var advice = new System.Text.StringBuilder()
            .AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"atom try: no model answers at {options.LlmBaseUrl} ({problem}).")
            .AppendLine("Start an OpenAI-compatible server, then point Atom at it; for example:");
        foreach (var server in ModelServers.All)
        {
            advice.AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"  {server.Name,-10} {server.Start}")
                .AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"  {"",-10} export ATOM_LLM_BASE_URL={server.BaseUrl} ATOM_LLM_MODEL={server.Model}");
        }

        return advice.Append("A hosted API works too: set ATOM_LLM_API_KEY as well. docs/backends.md has each server's settings; atom doctor checks them.").ToString();
    }
}
