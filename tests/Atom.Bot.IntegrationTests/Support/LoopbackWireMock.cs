using System.Net;
using System.Net.Sockets;
using WireMock.Exceptions;
using WireMock.Server;
using WireMock.Settings;

namespace Atom.Bot.IntegrationTests.Support;

/// <summary>WireMock servers on 127.0.0.1, each on a free port.</summary>
public static class LoopbackWireMock
{
    private const int Attempts = 10;

    /// <summary>
    /// Picking a free port and binding it are two steps: between them another server, or an outgoing connection's
    /// ephemeral port, can take it. A bind that fails that way is tried again on another port.
    /// </summary>
    public static WireMockServer Start()
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return WireMockServer.Start(new WireMockServerSettings { Urls = [$"http://127.0.0.1:{FreePort()}"], StartAdminInterface = false });
            }
            catch (WireMockException) when (attempt < Attempts)
            {
            }
        }
    }

    /// <summary>A loopback port free at the moment of asking (bind it at once, and retry on a clash).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
