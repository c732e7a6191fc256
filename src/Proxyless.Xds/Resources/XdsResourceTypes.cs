using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Proxyless.Xds.Resources;

/// <summary>
/// The four resource types a client subscribes to, by type URL, and a protobuf JSON parser/formatter that knows every
/// message that can sit in their <c>Any</c> fields (for corpus files, the control plane's snapshots and diagnostics).
/// </summary>
internal static class XdsResourceTypes
{
    public static readonly XdsResourceType Listener = new ListenerDecoder();
    public static readonly XdsResourceType RouteConfiguration = new RouteConfigDecoder();
    public static readonly XdsResourceType Cluster = new ClusterDecoder();
    public static readonly XdsResourceType Endpoints = new EndpointsDecoder();

    /// <summary>All four, in the order a client's dependencies run (LDS → RDS → CDS → EDS).</summary>
    public static readonly IReadOnlyList<XdsResourceType> All = [Listener, RouteConfiguration, Cluster, Endpoints];

    /// <summary>Every xDS message type Proxyless compiles, for <c>Any</c> in JSON.</summary>
    public static readonly TypeRegistry TypeRegistry = TypeRegistry.FromFiles(
        Envoy.Config.Listener.V3.ListenerReflection.Descriptor,
        Envoy.Extensions.Filters.Network.HttpConnectionManager.V3.HttpConnectionManagerReflection.Descriptor,
        Envoy.Extensions.Filters.Http.Router.V3.RouterReflection.Descriptor,
        Envoy.Config.Route.V3.RouteReflection.Descriptor,
        Envoy.Config.Cluster.V3.ClusterReflection.Descriptor,
        Envoy.Config.Endpoint.V3.EndpointReflection.Descriptor,
        Envoy.Extensions.Clusters.Aggregate.V3.ClusterReflection.Descriptor,
        Envoy.Extensions.LoadBalancingPolicies.ClientSideWeightedRoundRobin.V3.ClientSideWeightedRoundRobinReflection.Descriptor,
        Envoy.Extensions.LoadBalancingPolicies.LeastRequest.V3.LeastRequestReflection.Descriptor,
        Envoy.Extensions.LoadBalancingPolicies.PickFirst.V3.PickFirstReflection.Descriptor,
        Envoy.Extensions.LoadBalancingPolicies.RingHash.V3.RingHashReflection.Descriptor,
        Envoy.Extensions.LoadBalancingPolicies.RoundRobin.V3.RoundRobinReflection.Descriptor,
        Envoy.Extensions.LoadBalancingPolicies.WrrLocality.V3.WrrLocalityReflection.Descriptor,
        global::Xds.Type.V3.TypedStructReflection.Descriptor,
        Udpa.Type.V1.TypedStructReflection.Descriptor,
        Envoy.Service.Discovery.V3.DiscoveryReflection.Descriptor);

    /// <summary>Parses protobuf JSON whose <c>Any</c> fields hold xDS messages.</summary>
    public static readonly JsonParser JsonParser = new(JsonParser.Settings.Default.WithTypeRegistry(TypeRegistry));

    /// <summary>Formats messages whose <c>Any</c> fields hold xDS messages as protobuf JSON.</summary>
    public static readonly JsonFormatter JsonFormatter = new(JsonFormatter.Settings.Default.WithTypeRegistry(TypeRegistry));

    /// <summary>The decoder for a type URL, if it is one of the four.</summary>
    public static XdsResourceType? Find(string typeUrl) => All.FirstOrDefault(t => t.TypeUrl == typeUrl);
}
