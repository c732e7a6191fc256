using System.Net;
using Proxyless.Resolution;
using Proxyless.Xds.Resources;

namespace Proxyless.Xds.Resolver;

/// <summary>
/// Everything one xDS channel needs, complete (gRFC A74): the listener, its route configuration and the virtual host
/// chosen for the channel's authority, and every cluster the routes name with what the cluster resolved to. The
/// resolver hands it to the policies as a resolver-result attribute.
/// </summary>
internal sealed record XdsConfig(XdsListener Listener, XdsRouteConfig RouteConfig, XdsVirtualHost VirtualHost, IReadOnlyDictionary<string, XdsClusterState> Clusters)
{
    /// <summary>The attribute the config travels in.</summary>
    public static readonly AttributeKey<XdsConfig> Key = new("xds.config");
}

/// <summary>
/// One cluster of an <see cref="XdsConfig"/>: the cluster, or why it is unusable; for EDS its endpoints, for
/// LOGICAL_DNS the addresses its host name resolved to, for an aggregate cluster its leaf clusters in priority order.
/// </summary>
internal sealed record XdsClusterState(XdsCluster? Cluster, string? Error, XdsEndpoints? Endpoints = null, IReadOnlyList<IPEndPoint>? DnsAddresses = null, IReadOnlyList<string>? LeafClusters = null);
