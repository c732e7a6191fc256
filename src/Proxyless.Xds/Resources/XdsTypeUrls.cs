namespace Proxyless.Xds.Resources;

/// <summary>The type URLs of the xDS resources and the extension messages the decoders recognise.</summary>
internal static class XdsTypeUrls
{
    public const string Prefix = "type.googleapis.com/";
    public const string Listener = Prefix + "envoy.config.listener.v3.Listener";
    public const string RouteConfiguration = Prefix + "envoy.config.route.v3.RouteConfiguration";
    public const string Cluster = Prefix + "envoy.config.cluster.v3.Cluster";
    public const string ClusterLoadAssignment = Prefix + "envoy.config.endpoint.v3.ClusterLoadAssignment";

    /// <summary>The wrapper A27 allows around any resource (<c>envoy.service.discovery.v3.Resource</c>).</summary>
    public const string ResourceWrapper = Prefix + "envoy.service.discovery.v3.Resource";

    public const string HttpConnectionManager = Prefix + "envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager";
    public const string Router = Prefix + "envoy.extensions.filters.http.router.v3.Router";
    public const string FilterConfig = Prefix + "envoy.config.route.v3.FilterConfig";
    public const string TypedStructV3 = Prefix + "xds.type.v3.TypedStruct";
    public const string TypedStructV1 = Prefix + "udpa.type.v1.TypedStruct";
    public const string AggregateCluster = Prefix + "envoy.extensions.clusters.aggregate.v3.ClusterConfig";

    public const string RoundRobinPolicy = Prefix + "envoy.extensions.load_balancing_policies.round_robin.v3.RoundRobin";
    public const string RingHashPolicy = Prefix + "envoy.extensions.load_balancing_policies.ring_hash.v3.RingHash";
    public const string LeastRequestPolicy = Prefix + "envoy.extensions.load_balancing_policies.least_request.v3.LeastRequest";
    public const string PickFirstPolicy = Prefix + "envoy.extensions.load_balancing_policies.pick_first.v3.PickFirst";
    public const string WrrLocalityPolicy = Prefix + "envoy.extensions.load_balancing_policies.wrr_locality.v3.WrrLocality";
    public const string ClientSideWeightedRoundRobinPolicy = Prefix + "envoy.extensions.load_balancing_policies.client_side_weighted_round_robin.v3.ClientSideWeightedRoundRobin";
}
