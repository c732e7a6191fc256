using System.Net;
using Proxyless.Examples;

namespace CustomLoadBalancer.Server;

/// <summary>Two echo servers, replying "&lt;message&gt; (from localhost:&lt;port&gt;)".</summary>
public static class CustomLoadBalancerServers
{
    /// <summary>The ports the example uses.</summary>
    public static readonly int[] DefaultPorts = [50050, 50051];

    /// <summary>Starts the servers on 127.0.0.1 (port 0 picks a free one).</summary>
    /// <param name="ports">The ports.</param>
    public static Task<IReadOnlyList<EchoBackend>> StartAsync(IEnumerable<int> ports)
        => ExampleServers.StartAsync(ports.Select(p => (new IPEndPoint(IPAddress.Loopback, p), (string?)"localhost:{port}", Array.Empty<IPEndPoint>())));
}
