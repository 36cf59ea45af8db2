using System.Net.Mime;
using System.Text;
using System.Text.Json;
using Octokit.Webhooks;

namespace Atom.Bot.Ingress;

/// <summary>
/// Sits in front of Octokit's webhook endpoint. Octokit answers 400 for a bad signature, but 500 when a correctly
/// signed body is not a valid event; this turns the latter into a 400 with a log line, and refuses a signed delivery
/// without an <c>X-GitHub-Delivery</c> id (it could not be de-duplicated).
/// </summary>
public sealed partial class WebhookPayloadGuard(RequestDelegate next, WebhookOptions options, ILogger<WebhookPayloadGuard> logger)
{
    public const string Path = "/api/github/webhooks";

    public async Task InvokeAsync(HttpContext context, WebhookEventProcessor processor)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(processor);
        if (!HttpMethods.IsPost(context.Request.Method) || !context.Request.Path.Equals(Path, StringComparison.Ordinal)
            || !IsJson(context.Request.ContentType))
        {
            await next(context);
            return;
        }

        context.Request.EnableBuffering();
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
        context.Request.Body.Position = 0;

        var headers = WebhookHeaders.Parse(context.Request.Headers);
        var signature = context.Request.Headers["X-Hub-Signature-256"].ToString();
        if (string.IsNullOrWhiteSpace(headers.Event)
            || WebhookSignatureValidator.Verify(signature, options.WebhookSecret, buffer.GetBuffer().AsSpan(0, (int)buffer.Length)) != WebhookSignatureValidationResult.Valid)
        {
            await next(context); // Octokit's endpoint refuses these with 400.
            return;
        }

        var problem = string.IsNullOrWhiteSpace(headers.Delivery)
            ? "missing X-GitHub-Delivery header"
            : Validate(processor, headers, Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
        if (problem is null)
        {
            await next(context);
            return;
        }

        Log.Rejected(logger, headers.Delivery ?? "-", headers.Event, problem);
        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        await context.Response.WriteAsync($"Rejected: {problem}", context.RequestAborted);
    }

    private static bool IsJson(string? contentType) =>
        contentType is not null && new ContentType(contentType).MediaType == MediaTypeNames.Application.Json;

    private static string? Validate(WebhookEventProcessor processor, WebhookHeaders headers, string body)
    {
        try
        {
            using (var json = JsonDocument.Parse(body))
            {
                if (json.RootElement.ValueKind != JsonValueKind.Object)
                {
                    return "payload is not a JSON object";
                }
            }

            _ = processor.DeserializeWebhookEvent(headers, body) ?? throw new JsonException("empty event");
            return null;
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException or ArgumentException or InvalidOperationException or FormatException)
        {
            return $"payload is not a valid '{headers.Event}' event: {ex.GetType().Name}: {ex.Message}";
        }
    }
}
