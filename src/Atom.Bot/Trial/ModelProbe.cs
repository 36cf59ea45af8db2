using System.Net.Http.Headers;
using Atom.Bot.Configuration;

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

    public static string Advice(AtomOptions options, string problem) => $"""
        atom try: no model answers at {options.LlmBaseUrl} ({problem}).
        Start an OpenAI-compatible server, then point Atom at it; for example:
          Ollama     OLLAMA_NUM_PARALLEL=2 ollama serve; ollama pull qwen2.5-coder:14b
                     export ATOM_LLM_BASE_URL=http://localhost:11434/v1 ATOM_LLM_MODEL=qwen2.5-coder:14b
          vLLM       vllm serve Qwen/Qwen2.5-Coder-32B-Instruct --enable-auto-tool-choice --tool-call-parser hermes
                     export ATOM_LLM_BASE_URL=http://localhost:8000/v1 ATOM_LLM_MODEL=Qwen/Qwen2.5-Coder-32B-Instruct
          llama.cpp  llama-server -m model.gguf --jinja --parallel 2 -c 32768 --port 8080
                     export ATOM_LLM_BASE_URL=http://localhost:8080/v1 ATOM_LLM_MODEL=model
          LM Studio  lms server start (then load a model)
                     export ATOM_LLM_BASE_URL=http://localhost:1234/v1 ATOM_LLM_MODEL=<the loaded model's id>
        A hosted API works too: set ATOM_LLM_API_KEY as well. docs/backends.md has each server's settings; atom doctor checks them.
        """;
}
