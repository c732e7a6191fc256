using System.Text.Json;
using System.Text.Json.Nodes;
using Proxyless.Balancing;
using Proxyless.Configuration;
using Proxyless.Resolution;
using Proxyless.Xds.Resolver;
using Proxyless.Xds.Resources;

namespace Proxyless.Xds.Policies;

/// <summary>The config of cds: the cluster, and the registry its balancing policy is parsed with.</summary>
internal sealed record CdsConfig(string Cluster, LoadBalancerRegistry Registry) : LoadBalancerConfig
{
    public override string PolicyName => CdsLoadBalancer.Name;
}

/// <summary>
/// gRPC's cds policy as gRFC A74 has it: it finds its cluster in the <see cref="XdsConfig"/> the resolver attached and
/// builds what xds_cluster_resolver used to: one priority child per priority of each leaf cluster (an aggregate
/// cluster's leaves in order, A37), each an xds_cluster_impl (drops, max_requests) over the cluster's policy, wrapped
/// in outlier_detection when the cluster has it (A50). Endpoints carry their locality and weights.
/// </summary>
internal sealed class CdsLoadBalancer(IChannelControlHelper helper) : LoadBalancer
{
    public const string Name = "cds_experimental";

    private readonly PriorityLoadBalancer _priority = new(helper);

    public override Status UpdateChannelState(ChannelState state)
    {
        var config = (CdsConfig)state.Config;
        if (!state.Attributes.TryGetValue(XdsConfig.Key, out var xds) || !xds.Clusters.TryGetValue(config.Cluster, out var cluster))
        {
            return Fail($"cluster {config.Cluster} is not in the xDS config");
        }

        if (cluster.Error is { } error)
        {
            return Fail(error);
        }

        var children = new List<PriorityChild>();
        foreach (var leafName in cluster.LeafClusters ?? [config.Cluster])
        {
            if (!xds.Clusters.TryGetValue(leafName, out var leaf) || leaf.Cluster is null)
            {
                continue; // an aggregate's child that is unusable is skipped (A37)
            }

            PolicySelection policy;
            try
            {
                policy = ChildPolicy(leaf.Cluster, leaf.Endpoints?.Drops ?? [], config.Registry);
            }
            catch (ServiceConfigException ex)
            {
                return Fail($"cluster {leafName}: {ex.Message}");
            }

            foreach (var (priority, endpoints) in Priorities(leaf))
            {
                children.Add(new PriorityChild($"{leafName}[{priority}]", policy, endpoints));
            }
        }

        if (children.Count == 0)
        {
            return Fail($"cluster {config.Cluster} has no usable endpoints");
        }

        return _priority.UpdateChannelState(state with { Config = new PriorityConfig(children), Endpoints = children.SelectMany(c => c.Endpoints).ToList() });
    }

    public override void ResolverError(Status error) => _priority.ResolverError(error);

    public override void ExitIdle() => _priority.ExitIdle();

    internal override void DescribeEndpoints(Dictionary<string, string> notes) => _priority.DescribeEndpoints(notes);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _priority.Dispose();
        }

        base.Dispose(disposing);
    }

    private Status Fail(string message)
    {
        var status = new Status(StatusCode.Unavailable, message);
        helper.UpdateState(ConnectivityState.TransientFailure, Picker.Fail(status));
        return status;
    }

    // xds_cluster_impl over (outlier_detection over) the cluster's policy.
    private static PolicySelection ChildPolicy(XdsCluster cluster, IReadOnlyList<XdsDropOverload> drops, LoadBalancerRegistry registry)
    {
        var json = cluster.LbPolicyJson;
        if (cluster.OutlierDetectionJson is { } od)
        {
            var outlier = JsonNode.Parse(od)!.AsObject();
            outlier["childPolicy"] = JsonNode.Parse(cluster.LbPolicyJson);
            json = new JsonArray(new JsonObject { ["outlier_detection"] = outlier }).ToJsonString();
        }

        using var document = JsonDocument.Parse(json);
        var inner = registry.SelectFirstRegistered(document.RootElement, $"cluster {cluster.Name}");
        var impl = new ClusterImplConfig(cluster.Name, drops, cluster.MaxRequests, inner);
        return new PolicySelection(ClusterImplProvider, impl);
    }

    private static readonly LoadBalancerProvider ClusterImplProvider = new ImplProvider();

    private static IEnumerable<(int Priority, IReadOnlyList<BackendEndpoint> Endpoints)> Priorities(XdsClusterState leaf)
    {
        if (leaf.DnsAddresses is { } dns)
        {
            // LOGICAL_DNS: every address of the host is one endpoint (A61), one locality, one priority.
            var addresses = dns.Select(a => new BackendAddress(a)).ToList();
            var attributes = Attributes.Empty.With(XdsEndpointAttributes.Cluster, leaf.Cluster!.Name);
            yield return (0, addresses.Count == 0 ? [] : [new BackendEndpoint(addresses, attributes)]);
            yield break;
        }

        var endpoints = leaf.Endpoints;
        for (var p = 0; p < (endpoints?.PriorityCount ?? 1); p++)
        {
            var list = new List<BackendEndpoint>();
            foreach (var locality in endpoints?.Localities.Where(l => l.Priority == p) ?? [])
            {
                foreach (var endpoint in locality.Endpoints.Where(e => e.IsUsable && e.Addresses.Count > 0))
                {
                    var attributes = Attributes.Empty
                        .With(XdsEndpointAttributes.Cluster, leaf.Cluster!.Name)
                        .With(XdsEndpointAttributes.Locality, locality.Key)
                        .With(XdsEndpointAttributes.LocalityWeight, locality.Weight)
                        .With(EndpointAttributes.Weight, (int)Math.Min(int.MaxValue, (ulong)endpoint.Weight * locality.Weight));
                    list.Add(new BackendEndpoint(endpoint.Addresses.Select(a => new BackendAddress(a)).ToList(), attributes));
                }
            }

            yield return (p, list);
        }
    }

    /// <summary>Registers <c>cds_experimental</c>: <c>{"cluster": "name"}</c>.</summary>
    internal sealed class Provider : LoadBalancerProvider
    {
        public override string PolicyName => Name;

        public override LoadBalancerConfig ParseConfig(ConfigObject config, LoadBalancerRegistry registry)
            => new CdsConfig(config.GetString("cluster") ?? throw config.Error("cluster", "is required"), registry);

        public override LoadBalancer Create(IChannelControlHelper helper) => new CdsLoadBalancer(helper);
    }

    // xds_cluster_impl is created by cds only (its config holds parsed objects), so it is not registered by name.
    private sealed class ImplProvider : LoadBalancerProvider
    {
        public override string PolicyName => "xds_cluster_impl_experimental";

        public override LoadBalancerConfig ParseConfig(ConfigObject config, LoadBalancerRegistry registry)
            => throw config.Error("", "xds_cluster_impl_experimental is configured by the cds policy, not by service config");

        public override LoadBalancer Create(IChannelControlHelper helper) => new ClusterImplLoadBalancer(helper);
    }
}
