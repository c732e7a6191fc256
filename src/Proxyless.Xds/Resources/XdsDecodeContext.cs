using Proxyless.Balancing;

namespace Proxyless.Xds.Resources;

/// <summary>What decoding needs besides the bytes: the policies a cluster's balancing config may name.</summary>
/// <param name="Policies">The channel's policy registry; a cluster naming only policies it lacks is rejected.</param>
internal sealed record XdsDecodeContext(LoadBalancerRegistry Policies);
