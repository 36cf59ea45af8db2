using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Atom.Bot.Retrieval;

/// <summary>
/// OpenAI's <c>POST {base}/embeddings</c> (<c>{"model", "input": [...]}</c> → <c>{"data": [{"index", "embedding"}]}</c>),
/// which OpenAI-compatible local servers also serve. A 429 or 5xx is asked again, up to <see cref="MaxAttempts"/>
/// times, after the server's <c>Retry-After</c> or a doubling delay; anything else, or the last refusal, is an error
/// value naming the status, never the key or the server's body.
/// </summary>
public sealed class EmbeddingsClient(HttpClient http, RetrievalOptions options)
{
    public const int MaxAttempts = 4;

    private static readonly TimeSpan MaxRetryAfter = TimeSpan.FromSeconds(30);

    public async Task<EmbeddingsResult> EmbedAsync(IReadOnlyList<string> inputs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (!options.HasEmbeddings)
        {
            return EmbeddingsResult.Failed("no embeddings endpoint is configured");
        }

        var endpoint = new Uri(options.EmbeddingsBaseUrl!, "embeddings");
        var delay = options.EmbeddingsRetryDelay;
        for (var attempt = 1; ; attempt++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, endpoint)
            {
                Content = JsonContent.Create(new EmbeddingsRequest(options.EmbeddingsModel!, inputs)),
            };
            if (!string.IsNullOrEmpty(options.EmbeddingsApiKey))
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", options.EmbeddingsApiKey);
            }

            HttpResponseMessage response;
            try
            {
                response = await http.SendAsync(request, cancellationToken);
            }
            catch (HttpRequestException ex)
            {
                return EmbeddingsResult.Failed($"the embeddings endpoint {endpoint} cannot be reached ({ex.HttpRequestError})");
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return EmbeddingsResult.Failed($"the embeddings endpoint {endpoint} did not answer in time");
            }

            using (response)
            {
                var status = (int)response.StatusCode;
                if (response.IsSuccessStatusCode)
                {
                    return await ReadAsync(response, inputs.Count, cancellationToken);
                }

                if ((status == 429 || status >= 500) && attempt < MaxAttempts)
                {
                    var wait = RetryAfter(response) ?? delay;
                    delay *= 2;
                    await Task.Delay(wait, cancellationToken);
                    continue;
                }

                return EmbeddingsResult.Failed($"the embeddings endpoint answered {status} ({response.StatusCode}) after {attempt} attempt(s)");
            }
        }
    }

    private static TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        var wait = header?.Delta ?? (header?.Date is { } date ? date - DateTimeOffset.UtcNow : null);
        return wait is null ? null : TimeSpan.FromTicks(Math.Clamp(wait.Value.Ticks, 0, MaxRetryAfter.Ticks));
    }

    private static async Task<EmbeddingsResult> ReadAsync(HttpResponseMessage response, int count, CancellationToken cancellationToken)
    {
        EmbeddingsResponse? body;
        try
        {
            body = await response.Content.ReadFromJsonAsync<EmbeddingsResponse>(cancellationToken);
        }
        catch (JsonException ex)
        {
            return EmbeddingsResult.Failed($"the embeddings endpoint's answer is not OpenAI's shape ({ex.Message})");
        }

        var data = body?.Data ?? [];
        if (data.Count != count || data.Any(d => d.Embedding is not { Length: > 0 }) || data.Select(d => d.Index).Order().SequenceEqual(Enumerable.Range(0, count)) is false)
        {
            return EmbeddingsResult.Failed(string.Create(CultureInfo.InvariantCulture, $"the embeddings endpoint answered {data.Count} embedding(s) for {count} input(s)"));
        }

        return new EmbeddingsResult([.. data.OrderBy(d => d.Index).Select(d => d.Embedding!)], null);
    }

    private sealed record EmbeddingsRequest(
        [property: JsonPropertyName("model")] string Model,
        [property: JsonPropertyName("input")] IReadOnlyList<string> Input);

    private sealed record EmbeddingsResponse([property: JsonPropertyName("data")] List<EmbeddingData>? Data);

    private sealed record EmbeddingData(
        [property: JsonPropertyName("index")] int Index,
        [property: JsonPropertyName("embedding")] float[]? Embedding);
}
