using System.Diagnostics;
using System.Globalization;
using Atom.Bot.Configuration;
using Atom.Bot.Llm;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OpenAI.Chat;

namespace Atom.Bot.Benchmarks;

/// <summary>
/// The pool against a stub that answers every chat completion after a fixed latency L: with concurrency C the ideal
/// throughput is C/L, so the ratio achieved/ideal measures what the pool (queueing, HTTP, parsing) costs, and the
/// stub's own count of simultaneous requests checks the limit.
/// </summary>
public sealed class LlmPoolBenchmark : IBenchmark
{
    // The "Default" example of POST /chat/completions in OpenAI's OpenAPI description (fixtures/openai/examples).
    private const string Completion = """
        {"id":"chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT","object":"chat.completion","created":1741569952,"model":"gpt-5.4",
         "choices":[{"index":0,"message":{"role":"assistant","content":"Hello! How can I assist you today?","refusal":null,"annotations":[]},"logprobs":null,"finish_reason":"stop"}],
         "usage":{"prompt_tokens":19,"completion_tokens":10,"total_tokens":29},"service_tier":"default"}
        """;

    public string Name => "llm-pool";

    public string Description => "LLM pool throughput vs C/L against a fixed-latency stub; largest in-flight count seen by the stub";

    public async Task RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var requests = BenchmarkSupport.Option(args, "--requests", 200);
        var concurrency = BenchmarkSupport.Option(args, "--concurrency", 4);
        var latency = TimeSpan.FromMilliseconds(BenchmarkSupport.Option(args, "--latency-ms", 200));

        var inFlight = 0;
        var maxInFlight = 0;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var stub = builder.Build();
        stub.MapPost("/v1/chat/completions", async (HttpContext context) =>
        {
            var now = Interlocked.Increment(ref inFlight);
            int seen;
            while (now > (seen = Volatile.Read(ref maxInFlight)) && Interlocked.CompareExchange(ref maxInFlight, now, seen) != seen)
            {
            }

            try
            {
                await context.Request.Body.CopyToAsync(Stream.Null, context.RequestAborted);
                await Task.Delay(latency, context.RequestAborted);
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync(Completion, context.RequestAborted);
            }
            finally
            {
                Interlocked.Decrement(ref inFlight);
            }
        });
        await stub.StartAsync(cancellationToken);
        var address = stub.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

        var options = BenchmarkSupport.Options(Path.Combine(Path.GetTempPath(), "atom-benchmark-unused"), new Uri($"{address}/v1"), concurrency);
        using var pool = new LlmPool(LlmOptions.From(options), Redactor.For(options), TimeProvider.System, NullLogger<LlmPool>.Instance);
        ChatMessage[] messages = [new SystemChatMessage("You are a benchmark."), new UserChatMessage("Say hello.")];

        // Warm-up: connections, JIT.
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => pool.CompleteAsync(LlmEndpoint.Main, messages, null, null, cancellationToken)));

        var stopwatch = Stopwatch.StartNew();
        var results = await Task.WhenAll(Enumerable.Range(0, requests)
            .Select(i => pool.CompleteAsync(LlmEndpoint.Main, messages, null, i % 10, cancellationToken)));
        stopwatch.Stop();

        var failures = results.Count(r => !r.IsOk);
        var achieved = requests / stopwatch.Elapsed.TotalSeconds;
        var ideal = concurrency / latency.TotalSeconds;
        var ratio = achieved / ideal;
        var stats = pool.Snapshot();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""
              requests {requests}, concurrency C = {concurrency}, stub latency L = {latency.TotalMilliseconds:0} ms, failures {failures}
              elapsed               {stopwatch.Elapsed.TotalSeconds:0.000} s (ideal {requests * latency.TotalSeconds / concurrency:0.000} s)
              throughput            {achieved:0.00} req/s (C/L = {ideal:0.00} req/s)
              throughput / (C/L)    {ratio:P1}   goal >= 95 %: {(ratio >= 0.95 ? "met" : "NOT met")}
              max in flight at stub {maxInFlight}   limit {concurrency}: {(maxInFlight <= concurrency ? "respected" : "EXCEEDED")}
              pool mean queue wait  {stats.MeanWaitMilliseconds:0.0} ms, completed {stats.Completed}, retried {stats.Retried}, tokens in/out {stats.TokensIn}/{stats.TokensOut}
            """));
        await stub.StopAsync(cancellationToken);
    }
}
