using System.Net;
using Proxyless.Examples;

namespace DualStack.Server;

/// <summary>
/// The three servers of grpc-go's dualstack example: IPv4 only, IPv6 only, and both. Servers here bind only to
/// loopback, so "both" listens on 127.0.0.1 and [::1] (the seed's <c>[::]</c>, limited to loopback) and keeps the
/// seed's reply label <c>[::]:port</c>.
/// </summary>
public static class DualStackServers
{
    /// <summary>The ports the example uses: IPv4-only, IPv6-only, dual-stack.</summary>
    public static readonly int[] DefaultPorts = [50050, 50051, 50052];

    /// <summary>Starts the three servers (port 0 picks a free one; the dual-stack server then uses one port for both).</summary>
    /// <param name="ports">Three ports.</param>
    public static async Task<IReadOnlyList<EchoBackend>> StartAsync(IReadOnlyList<int> ports)
    {
        var v4 = await ExampleServers.StartAsync([(new IPEndPoint(IPAddress.Loopback, ports[0]), "127.0.0.1:{port}", [])]);
        var v6 = await ExampleServers.StartAsync([(new IPEndPoint(IPAddress.IPv6Loopback, ports[1]), "[::1]:{port}", [])]);
        var dualPort = ports[2] != 0 ? ports[2] : FreePortOnBothFamilies();
        var dual = await ExampleServers.StartAsync([(new IPEndPoint(IPAddress.Loopback, dualPort), "[::]:{port}", [new IPEndPoint(IPAddress.IPv6Loopback, dualPort)])]);
        return [.. v4, .. v6, .. dual];
    }

    private static int FreePortOnBothFamilies()
    {
        for (var attempt = 0; attempt < 20; attempt++)
        {
            using var v4 = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
            v4.Start();
            var port = ((IPEndPoint)v4.LocalEndpoint).Port;
            try
            {
                using var v6 = new System.Net.Sockets.TcpListener(IPAddress.IPv6Loopback, port);
                v6.Start();
                return port;
            }
            catch (System.Net.Sockets.SocketException)
            {
            }
        }

        throw new InvalidOperationException("No port is free on both 127.0.0.1 and [::1].");
    }
}
