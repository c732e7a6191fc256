using System.Net;
using Proxyless.Examples;

namespace LoadBalancing.Server;

/// <summary>The example's echo servers: one per port, each replying "&lt;message&gt; (from :&lt;port&gt;)".</summary>
public static class LoadBalancingServers
{
    /// <summary>The ports of grpc-go's example.</summary>
    public static readonly int[] DefaultPorts = [50051, 50052];

    /// <summary>Starts one server per port on 127.0.0.1 (port 0 picks a free one).</summary>
    /// <param name="ports">The ports.</param>
    public static Task<IReadOnlyList<EchoBackend>> StartAsync(IEnumerable<int> ports)
        => ExampleServers.StartAsync(ports.Select(p => (new IPEndPoint(IPAddress.Loopback, p), (string?)":{port}", Array.Empty<IPEndPoint>())));
}
