using System.Net;
using Envoy.Config.Cluster.V3;
using Envoy.Config.Core.V3;
using Envoy.Config.Endpoint.V3;
using Envoy.Config.Listener.V3;
using Envoy.Config.Route.V3;
using Envoy.Extensions.Filters.Network.HttpConnectionManager.V3;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace Proxyless.Xds.ControlPlane;

/// <summary>
/// Builds the common xDS resources for a control plane's snapshot (and the bootstrap that points a client at it): an API
/// listener with RDS, a route configuration with weighted clusters, EDS clusters and their endpoints by locality.
/// </summary>
public static class XdsResources
{
    /// <summary>
    /// gRPC's bootstrap JSON for one insecure control plane. The node carries an empty <c>locality</c>: grpc-js's
    /// bootstrap parser (1.14) rejects a node without one, although gRFC A27 makes it optional.
    /// </summary>
    /// <param name="serverUri">The control plane, e.g. <see cref="XdsControlPlane.ServerUri"/>.</param>
    /// <param name="nodeId">The client's node id.</param>
    public static string Bootstrap(string serverUri, string nodeId = "proxyless") => $$$$"""
        {"xds_servers": [{"server_uri": "{{{{serverUri}}}}", "channel_creds": [{"type": "insecure"}], "server_features": ["xds_v3"]}],
         "node": {"id": "{{{{nodeId}}}}", "locality": {}}}
        """;

    /// <summary>An API listener (the router its only filter) whose routes come from RDS over ADS.</summary>
    /// <param name="name">The listener's name: the target's name (<c>greeter</c> for <c>xds:///greeter</c>).</param>
    /// <param name="routeConfigName">The route configuration it names.</param>
    public static IMessage Listener(string name, string routeConfigName)
    {
        var hcm = new HttpConnectionManager
        {
            Rds = new Rds { RouteConfigName = routeConfigName, ConfigSource = new ConfigSource { Ads = new AggregatedConfigSource() } },
            HttpFilters = { new HttpFilter { Name = "router", TypedConfig = Any.Pack(new Envoy.Extensions.Filters.Http.Router.V3.Router()) } },
        };
        return new Listener { Name = name, ApiListener = new ApiListener { ApiListener_ = Any.Pack(hcm) } };
    }

    /// <summary>One virtual host for every domain, with one catch-all route to the clusters, split by weight.</summary>
    /// <param name="name">The route configuration's name.</param>
    /// <param name="clusters">The clusters and their weights (one cluster: weight ignored).</param>
    public static IMessage Routes(string name, params (string Cluster, uint Weight)[] clusters)
    {
        var action = new RouteAction();
        if (clusters.Length == 1)
        {
            action.Cluster = clusters[0].Cluster;
        }
        else
        {
            action.WeightedClusters = new WeightedCluster();
            action.WeightedClusters.Clusters.AddRange(clusters.Select(c => new WeightedCluster.Types.ClusterWeight { Name = c.Cluster, Weight = c.Weight }));
        }

        return new RouteConfiguration
        {
            Name = name,
            VirtualHosts = { new VirtualHost { Name = "all", Domains = { "*" }, Routes = { new Route { Match = new RouteMatch { Prefix = "" }, Route_ = action } } } },
        };
    }

    /// <summary>An EDS cluster over ADS with round robin.</summary>
    /// <param name="name">The cluster's name (also the name of its endpoints resource).</param>
    public static IMessage EdsCluster(string name) => EdsClusterMessage(name);

    internal static Cluster EdsClusterMessage(string name, Action<Cluster>? change = null)
    {
        var cluster = new Cluster
        {
            Name = name,
            Type = Cluster.Types.DiscoveryType.Eds,
            EdsClusterConfig = new Cluster.Types.EdsClusterConfig { EdsConfig = new ConfigSource { Ads = new AggregatedConfigSource() } },
        };
        change?.Invoke(cluster);
        return cluster;
    }

    /// <summary>A cluster's endpoints, by locality: its zone, weight, priority and backends.</summary>
    /// <param name="cluster">The cluster's name.</param>
    /// <param name="localities">The localities.</param>
    public static IMessage Endpoints(string cluster, params (string Zone, uint Weight, uint Priority, IPEndPoint[] Backends)[] localities)
    {
        var assignment = new ClusterLoadAssignment { ClusterName = cluster };
        foreach (var (zone, weight, priority, backends) in localities)
        {
            var locality = new LocalityLbEndpoints { Locality = new Locality { Region = "r", Zone = zone }, LoadBalancingWeight = weight, Priority = priority };
            locality.LbEndpoints.AddRange(backends.Select(b => new LbEndpoint
            {
                Endpoint = new Endpoint { Address = new Address { SocketAddress = new Envoy.Config.Core.V3.SocketAddress { Address = b.Address.ToString(), PortValue = (uint)b.Port } } },
            }));
            assignment.Endpoints.Add(locality);
        }

        return assignment;
    }
}
