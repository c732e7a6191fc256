using Envoy.Config.Cluster.V3;
using Envoy.Config.Core.V3;
using Google.Protobuf;

namespace Proxyless.Xds.Resources;

/// <summary>
/// CDS (gRFC A27, A37, A42, A48, A50, A52, A32): decodes a cluster: EDS (ADS or self config source), LOGICAL_DNS (one
/// locality with one host:port) or aggregate (a non-empty list of clusters); its balancing policy; outlier detection;
/// the default-priority circuit breaker's <c>max_requests</c>; and whether it reports load to itself (LRS).
/// Security settings (<c>transport_socket</c>, gRFC A29) are rejected: this client would connect in plaintext.
/// </summary>
internal sealed class ClusterDecoder : XdsResourceType<Cluster>
{
    private const string AggregateClusterType = "envoy.clusters.aggregate";

    public override string TypeUrl => XdsTypeUrls.Cluster;

    public override string ShortName => "CDS";

    public override bool AllResourcesRequired => true;

    protected override MessageParser<Cluster> Parser => Cluster.Parser;

    protected override string NameOf(Cluster message) => message.Name;

    protected override object? Validate(Cluster cluster, XdsDecodeContext context, XdsErrors errors)
    {
        var lbPolicy = cluster.LoadBalancingPolicy is { } policy
            ? LbPolicyConverter.FromLoadBalancingPolicy(policy, "load_balancing_policy", context, errors)
            : LbPolicyConverter.FromLbPolicy(cluster, context, errors);

        if (cluster.TransportSocket is not null || cluster.TransportSocketMatches.Count > 0)
        {
            errors.Add(cluster.TransportSocket is not null ? "transport_socket" : "transport_socket_matches", "xDS security (gRFC A29) is not supported by this client");
        }

        var outlier = cluster.OutlierDetection is { } od ? OutlierDetectionConverter.Convert(od, "outlier_detection", errors) : null;
        var maxRequests = XdsCluster.DefaultMaxRequests;
        foreach (var threshold in cluster.CircuitBreakers?.Thresholds ?? [])
        {
            if (threshold.Priority == RoutingPriority.Default)
            {
                maxRequests = threshold.MaxRequests ?? XdsCluster.DefaultMaxRequests;
                break;
            }
        }

        var reportsLoad = false;
        if (cluster.LrsServer is { } lrs)
        {
            if (lrs.ConfigSourceSpecifierCase != ConfigSource.ConfigSourceSpecifierOneofCase.Self)
            {
                errors.Add("lrs_server", "must be self");
            }

            reportsLoad = true;
        }

        var kind = XdsClusterKind.Eds;
        string edsServiceName = "", dnsHost = "";
        var dnsPort = 0;
        IReadOnlyList<string> children = [];
        if (cluster.ClusterDiscoveryTypeCase == Cluster.ClusterDiscoveryTypeOneofCase.ClusterType)
        {
            kind = XdsClusterKind.Aggregate;
            children = AggregateChildren(cluster.ClusterType, errors);
        }
        else if (cluster.Type == Cluster.Types.DiscoveryType.Eds)
        {
            var source = cluster.EdsClusterConfig?.EdsConfig;
            if (source is null || source.ConfigSourceSpecifierCase is not (ConfigSource.ConfigSourceSpecifierOneofCase.Ads or ConfigSource.ConfigSourceSpecifierOneofCase.Self))
            {
                errors.Add("eds_cluster_config.eds_config", "must be ads or self");
            }

            edsServiceName = cluster.EdsClusterConfig?.ServiceName ?? "";
            if (edsServiceName.Length == 0 && cluster.Name.StartsWith("xdstp:", StringComparison.Ordinal))
            {
                errors.Add("eds_cluster_config.service_name", "must be set for an xdstp: cluster name (gRFC A47)");
            }
        }
        else if (cluster.Type == Cluster.Types.DiscoveryType.LogicalDns)
        {
            kind = XdsClusterKind.LogicalDns;
            (dnsHost, dnsPort) = DnsTarget(cluster, errors);
        }
        else
        {
            errors.Add("type", $"{XdsProtoValues.Name(cluster.Type)} is not supported (EDS, LOGICAL_DNS and aggregate clusters are)");
        }

        return errors.IsEmpty ? new XdsCluster(cluster.Name, kind, edsServiceName, dnsHost, dnsPort, children, lbPolicy!, outlier, maxRequests, reportsLoad) : null;
    }

    private static IReadOnlyList<string> AggregateChildren(Cluster.Types.CustomClusterType type, XdsErrors errors)
    {
        if (type.Name != AggregateClusterType || type.TypedConfig?.TypeUrl != XdsTypeUrls.AggregateCluster)
        {
            errors.Add("cluster_type", $"custom cluster type \"{type.Name}\" ({type.TypedConfig?.TypeUrl}) is not supported (only {AggregateClusterType})");
            return [];
        }

        Envoy.Extensions.Clusters.Aggregate.V3.ClusterConfig config;
        try
        {
            config = Envoy.Extensions.Clusters.Aggregate.V3.ClusterConfig.Parser.ParseFrom(type.TypedConfig.Value);
        }
        catch (InvalidProtocolBufferException ex)
        {
            errors.Add("cluster_type.typed_config", $"the aggregate ClusterConfig cannot be parsed: {ex.Message}");
            return [];
        }

        if (config.Clusters.Count == 0)
        {
            errors.Add("cluster_type.typed_config.clusters", "is empty");
        }

        return config.Clusters.ToArray();
    }

    // A LOGICAL_DNS cluster names exactly one host:port in its load assignment.
    private static (string Host, int Port) DnsTarget(Cluster cluster, XdsErrors errors)
    {
        const string Path = "load_assignment";
        var assignment = cluster.LoadAssignment;
        if (assignment is null)
        {
            errors.Add(Path, "is missing (a LOGICAL_DNS cluster names its host there)");
            return ("", 0);
        }

        if (assignment.Endpoints.Count != 1 || assignment.Endpoints[0].LbEndpoints.Count != 1)
        {
            errors.Add(Path + ".endpoints", "a LOGICAL_DNS cluster must have exactly one locality with exactly one endpoint");
            return ("", 0);
        }

        var socket = assignment.Endpoints[0].LbEndpoints[0].Endpoint?.Address?.SocketAddress;
        const string SocketPath = Path + ".endpoints[0].lb_endpoints[0].endpoint.address.socket_address";
        if (socket is null)
        {
            errors.Add(SocketPath, "is missing");
            return ("", 0);
        }

        if (socket.ResolverName.Length > 0)
        {
            errors.Add(SocketPath + ".resolver_name", $"custom resolver \"{socket.ResolverName}\" is not supported");
        }

        if (socket.Address.Length == 0)
        {
            errors.Add(SocketPath + ".address", "is empty");
        }

        if (socket.PortSpecifierCase != SocketAddress.PortSpecifierOneofCase.PortValue || socket.PortValue is 0 or > 65535)
        {
            errors.Add(SocketPath + ".port_value", "must be a port from 1 to 65535");
        }

        return (socket.Address, (int)socket.PortValue);
    }
}
