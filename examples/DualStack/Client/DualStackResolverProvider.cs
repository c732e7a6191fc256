using System.Net;
using Proxyless.Resolution;

namespace DualStack.Client;

/// <summary>
/// The example's resolver (scheme <c>example</c>): one endpoint per server port, each with its IPv6 and its IPv4
/// loopback address, IPv6 first.
/// </summary>
public sealed class DualStackResolverProvider(IReadOnlyList<int> ports) : ResolverProvider
{
    /// <inheritdoc />
    public override string Scheme => "example";

    /// <inheritdoc />
    public override Resolver CreateResolver(ResolverTarget target, ResolverOptions options)
        => new FixedEndpoints(ports.Select(port => new BackendEndpoint(
        [
            new BackendAddress(new IPEndPoint(IPAddress.IPv6Loopback, port)),
            new BackendAddress(new IPEndPoint(IPAddress.Loopback, port)),
        ])).ToArray());

    private sealed class FixedEndpoints(IReadOnlyList<BackendEndpoint> endpoints) : Resolver
    {
        public override void Start(Action<ResolverResult> listener) => listener(ResolverResult.ForEndpoints(endpoints));
    }
}
