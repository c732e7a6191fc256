using System.Net;
using Proxyless.Resolution;

namespace DualStack.Client;

/// <summary>
/// The example's resolver (scheme <c>example</c>): one endpoint per server port, each with its IPv6 and its IPv4
/// loopback address, IPv6 first.
/// </summary>
public static class DualStackResolverProvider
{
    /// <summary>Creates the resolver provider for the servers' ports.</summary>
    /// <param name="ports">The three servers' ports.</param>
    public static ResolverProvider Create(IReadOnlyList<int> ports)
        => new FixedEndpointsResolverProvider("example", ports.Select(port => new BackendEndpoint(
        [
            new BackendAddress(new IPEndPoint(IPAddress.IPv6Loopback, port)),
            new BackendAddress(new IPEndPoint(IPAddress.Loopback, port)),
        ])).ToArray());
}
