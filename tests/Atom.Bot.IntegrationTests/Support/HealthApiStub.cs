using System.Text.Json;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace Atom.Bot.IntegrationTests.Support;

/// <summary>
/// A platform health API (DESIGN.md, "Platform health") on loopback whose answer the test changes: a reading, an HTTP
/// error, or a body that is not the documented object. Counts the polls it answered.
/// </summary>
public sealed class HealthApiStub : IDisposable
{
    private readonly WireMockServer _server = LoopbackWireMock.Start();
    private readonly Lock _lock = new();
    private int _status = 200;
    private string _body = "{}";
    private int _polls;

    public HealthApiStub()
    {
        _server.Given(Request.Create().UsingGet().WithPath("/health")).RespondWith(Response.Create().WithCallback(_ =>
        {
            lock (_lock)
            {
                _polls++;
                return new WireMock.ResponseMessage
                {
                    StatusCode = _status,
                    BodyData = new WireMock.Util.BodyData { BodyAsString = _body, DetectedBodyType = WireMock.Types.BodyType.String },
                };
            }
        }));
    }

    public Uri Url => new($"{_server.Urls[0]}/health");

    public int Polls
    {
        get
        {
            lock (_lock)
            {
                return _polls;
            }
        }
    }

    /// <summary>Answers with this reading from now on (snake_case fields as the API sends them).</summary>
    public void Report(int? thermalLevel = null, double? latencyMs = null) =>
        Answer(200, JsonSerializer.Serialize(new Dictionary<string, object?> { ["thermal_level"] = thermalLevel, ["inference_latency_ms"] = latencyMs, ["load"] = 0.5 }
            .Where(p => p.Value is not null).ToDictionary()));

    public void Answer(int status, string body)
    {
        lock (_lock)
        {
            (_status, _body) = (status, body);
        }
    }

    /// <summary>Waits until <paramref name="count"/> more polls were answered.</summary>
    public async Task PollsAsync(int count)
    {
        var target = Polls + count;
        await Eventually.TrueAsync(() => Polls >= target, $"{count} more health polls");
    }

    public void Dispose()
    {
        _server.Stop();
        _server.Dispose();
    }
}
