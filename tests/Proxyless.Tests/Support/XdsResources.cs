using System.Net;
using Envoy.Config.Cluster.V3;
using Envoy.Config.Core.V3;
using Envoy.Config.Endpoint.V3;
using Envoy.Config.Listener.V3;
using Envoy.Config.Route.V3;
using Envoy.Extensions.Filters.Network.HttpConnectionManager.V3;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace Proxyless.Tests.Support;

/// <summary>Builds the xDS resources the functional tests serve.</summary>
internal static class XdsResources
{
    public static string Bootstrap(string serverUri, string nodeId = "proxyless-test") => $$$"""
        {"xds_servers": [{"server_uri": "{{{serverUri}}}", "channel_creds": [{"type": "insecure"}], "server_features": ["xds_v3"]}],
         "node": {"id": "{{{nodeId}}}"}}
        """;

    /// <summary>An API listener whose routes come from RDS <paramref name="routeConfigName"/>.</summary>
    public static Listener Listener(string name, string routeConfigName)
    {
        var hcm = new HttpConnectionManager
        {
            Rds = new Rds { RouteConfigName = routeConfigName, ConfigSource = new ConfigSource { Ads = new AggregatedConfigSource() } },
            HttpFilters = { new HttpFilter { Name = "router", TypedConfig = Any.Pack(new Envoy.Extensions.Filters.Http.Router.V3.Router()) } },
        };
        return new Listener { Name = name, ApiListener = new ApiListener { ApiListener_ = Any.Pack(hcm) } };
    }

    /// <summary>One virtual host for every domain with one catch-all route to weighted clusters.</summary>
    public static RouteConfiguration Routes(string name, params (string Cluster, uint Weight)[] clusters)
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

    public static Cluster EdsCluster(string name, Action<Cluster>? change = null)
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

    /// <summary>Endpoints: each locality (zone, weight, priority) with its backends.</summary>
    public static ClusterLoadAssignment Endpoints(string cluster, params (string Zone, uint Weight, uint Priority, IPEndPoint[] Backends)[] localities)
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

    public static IPEndPoint EndPoint(Proxyless.Examples.EchoBackend backend) => (IPEndPoint)backend.EndPoint;

    public static IMessage[] Snapshot(params IMessage[] resources) => resources;
}
