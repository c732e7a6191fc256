using Proxyless.Balancing;
using Proxyless.Configuration;
using Proxyless.Xds.Resolver;
using Proxyless.Xds.Resources;

namespace Proxyless.Xds.Policies;

/// <summary>The config of xds_cluster_manager: one child per cluster name (<c>cluster:NAME</c>).</summary>
internal sealed record ClusterManagerConfig(IReadOnlyDictionary<string, PolicySelection> Children) : LoadBalancerConfig
{
    public override string PolicyName => ClusterManagerLoadBalancer.Name;
}

/// <summary>
/// gRPC's xds_cluster_manager, with the route decision moved into its picker (grpc-dotnet has no per-call config
/// selector): each pick matches the call against the virtual host's routes (gRFC A28), chooses among the route's
/// weighted clusters, and delegates to that cluster's child; a route's hash policies (A42) give the request the hash
/// ring_hash uses. A call no route matches, or whose route does not forward, fails with UNAVAILABLE naming why.
/// </summary>
internal sealed class ClusterManagerLoadBalancer(IChannelControlHelper helper) : MultiChildLoadBalancer(helper)
{
    public const string Name = "xds_cluster_manager_experimental";

    private readonly ulong _channelId = (ulong)Random.Shared.NextInt64(long.MinValue, long.MaxValue); // A42's io.grpc.channel_id
    private XdsVirtualHost? _host;
    private TimeSpan? _defaultMaxStreamDuration; // the listener's HCM setting (A31)

    public override Status UpdateChannelState(ChannelState state)
    {
        var config = (ClusterManagerConfig)state.Config;
        _host = state.Attributes.TryGetValue(XdsConfig.Key, out var xds) ? xds.VirtualHost : null;
        _defaultMaxStreamDuration = xds?.Listener.MaxStreamDuration;
        foreach (var (name, child) in config.Children)
        {
            Children.Update(name, child, state);
        }

        Children.RemoveExcept(config.Children.Keys.ToHashSet(StringComparer.Ordinal));
        Publish();
        return Status.DefaultSuccess;
    }

    protected override void OnChildChanged() => Publish();

    private void Publish()
    {
        if (_host is null)
        {
            return;
        }

        // A42: ring_hash reads a request's hash only once some route can set one.
        Proxyless.Balancing.Policies.RingHash.RequestHash.InUse = _host.Routes.Any(r => r.Action.HashPolicies.Count > 0);

        // Keyed by cluster name, so a pick looks its cluster up without building the child's name.
        var pickers = Children.Children.Where(c => c.Key.StartsWith(ChildPrefix, StringComparison.Ordinal)).ToDictionary(c => c.Key[ChildPrefix.Length..], c => c.Value.Picker, StringComparer.Ordinal);
        Helper.UpdateState(ChildPolicySet.Aggregate(Children.Children.Values), new RoutingPicker(_host, pickers, _channelId, _defaultMaxStreamDuration));
    }

    /// <summary>The child name of a cluster, as gRPC spells it.</summary>
    public static string ChildName(string cluster) => ChildPrefix + cluster;

    private const string ChildPrefix = "cluster:";

    private sealed class RoutingPicker(XdsVirtualHost host, Dictionary<string, Picker> clusters, ulong channelId, TimeSpan? defaultMaxStreamDuration) : Picker
    {
        // A44: each route's retry policy (or the virtual host's), converted once for the balancing handler.
        private readonly Dictionary<XdsRoute, Proxyless.Calls.RouteRetryPolicy> _retries = RetryPolicies(host);

        public override PickResult Pick(in PickContext context)
        {
            if (RouteTable.Match(host, context) is not { } route)
            {
                return PickResult.ForFailure(new Status(StatusCode.Unavailable, $"no route of virtual host \"{host.Name}\" matches {context.Method}"));
            }

            if (route.Action.Kind != XdsRouteActionKind.Route)
            {
                return PickResult.ForFailure(new Status(StatusCode.Unavailable, $"the route for {context.Method} is a {(route.Action.Kind == XdsRouteActionKind.NonForwarding ? "non-forwarding" : "unsupported")} action"));
            }

            if (route.Action.HashPolicies.Count > 0 && context.Request is { } request && RouteTable.RequestHash(route.Action.HashPolicies, context, channelId) is { } hash)
            {
                request.Options.Set(Proxyless.Balancing.Policies.RingHash.RequestHash.Key, hash); // for ring_hash below (A42)
            }

            // A31: the route's limit (or the listener's), 0 meaning none, caps the call's timeout.
            if ((route.Action.MaxStreamDuration ?? defaultMaxStreamDuration) is { } limit && limit > TimeSpan.Zero && context.Request is { } timed)
            {
                GrpcTimeout.Cap(timed, limit);
            }

            if (_retries.TryGetValue(route, out var retry) && context.Request is { } retried)
            {
                retried.Options.Set(Proxyless.Calls.RouteRetryPolicy.Key, retry);
            }

            var cluster = RouteTable.ChooseCluster(route.Action.Clusters);
            return clusters.TryGetValue(cluster, out var picker)
                ? picker.Pick(context)
                : PickResult.ForFailure(new Status(StatusCode.Unavailable, $"cluster {cluster} is not available"));
        }
    }

    private static Dictionary<XdsRoute, Proxyless.Calls.RouteRetryPolicy> RetryPolicies(XdsVirtualHost host)
    {
        var policies = new Dictionary<XdsRoute, Proxyless.Calls.RouteRetryPolicy>(ReferenceEqualityComparer.Instance);
        foreach (var route in host.Routes)
        {
            if ((route.Action.RetryPolicy ?? host.RetryPolicy) is { RetryOn.Count: > 0 } policy)
            {
                // gRPC caps attempts at 5, the first included.
                policies[route] = new Proxyless.Calls.RouteRetryPolicy(policy.RetryOn, (int)Math.Min(5, policy.NumRetries + 1L), policy.BaseInterval, policy.MaxInterval);
                Proxyless.Calls.RouteRetryPolicy.InUse = true;
            }
        }

        return policies;
    }

    /// <summary>
    /// Registers <c>xds_cluster_manager_experimental</c>:
    /// <c>{"children": {"cluster:a": {"childPolicy": [{"cds_experimental": {"cluster": "a"}}]}}}</c>.
    /// </summary>
    internal sealed class Provider : LoadBalancerProvider
    {
        public override string PolicyName => Name;

        public override LoadBalancerConfig ParseConfig(ConfigObject config, LoadBalancerRegistry registry)
        {
            var children = new Dictionary<string, PolicySelection>(StringComparer.Ordinal);
            if (config.GetObject("children") is { } map)
            {
                foreach (var property in map.Element.EnumerateObject())
                {
                    var child = new ConfigObject(property.Value, map.FieldPath(property.Name));
                    children[property.Name] = child.TryGet("childPolicy", out var policy)
                        ? registry.SelectFirstRegistered(policy, child.FieldPath("childPolicy"))
                        : throw child.Error("childPolicy", "is required");
                }
            }

            return new ClusterManagerConfig(children);
        }

        public override LoadBalancer Create(IChannelControlHelper helper) => new ClusterManagerLoadBalancer(helper);
    }
}
