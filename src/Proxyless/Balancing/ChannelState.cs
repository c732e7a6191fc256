using Proxyless.Configuration;
using Proxyless.Resolution;

namespace Proxyless.Balancing;

/// <summary>What a policy receives on each resolver update: the endpoints and its own config.</summary>
/// <param name="Endpoints">The endpoints, in the resolver's order.</param>
/// <param name="Config">The policy's parsed config.</param>
/// <param name="Attributes">Attributes of the resolver result.</param>
/// <param name="ServiceConfig">The service config in effect.</param>
public sealed record ChannelState(IReadOnlyList<BackendEndpoint> Endpoints, LoadBalancerConfig Config, Attributes Attributes, ServiceConfig ServiceConfig);
