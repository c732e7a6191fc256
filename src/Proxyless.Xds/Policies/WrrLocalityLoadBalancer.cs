using Proxyless.Balancing;
using Proxyless.Configuration;

namespace Proxyless.Xds.Policies;

/// <summary>The config of xds_wrr_locality: the policy that picks within each locality.</summary>
internal sealed record WrrLocalityConfig(PolicySelection Child) : LoadBalancerConfig
{
    public override string PolicyName => WrrLocalityLoadBalancer.Name;
}

/// <summary>
/// gRPC's xds_wrr_locality (gRFC A52): a weighted_target with one target per locality, weighted by the locality's
/// weight, each running the configured endpoint-picking policy on that locality's endpoints.
/// </summary>
internal sealed class WrrLocalityLoadBalancer(IChannelControlHelper helper) : LoadBalancer
{
    public const string Name = "xds_wrr_locality_experimental";

    private readonly WeightedTargetLoadBalancer _target = new(helper);

    public override Status UpdateChannelState(ChannelState state)
    {
        var child = ((WrrLocalityConfig)state.Config).Child;
        var targets = new Dictionary<string, WeightedTarget>(StringComparer.Ordinal);
        foreach (var endpoint in state.Endpoints)
        {
            var locality = endpoint.Attributes.GetValueOrDefault(XdsEndpointAttributes.Locality, "");
            targets.TryAdd(locality, new WeightedTarget(endpoint.Attributes.GetValueOrDefault(XdsEndpointAttributes.LocalityWeight, 1u), child));
        }

        return _target.UpdateChannelState(state with { Config = new WeightedTargetConfig(targets) });
    }

    public override void ResolverError(Status error) => _target.ResolverError(error);

    public override void ExitIdle() => _target.ExitIdle();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _target.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>Registers <c>xds_wrr_locality_experimental</c>: <c>{"childPolicy": [...]}</c>.</summary>
    internal sealed class Provider : LoadBalancerProvider
    {
        public override string PolicyName => Name;

        public override LoadBalancerConfig ParseConfig(ConfigObject config, LoadBalancerRegistry registry)
            => config.TryGet("childPolicy", out var child)
                ? new WrrLocalityConfig(registry.SelectFirstRegistered(child, config.FieldPath("childPolicy")))
                : throw config.Error("childPolicy", "is required");

        public override LoadBalancer Create(IChannelControlHelper helper) => new WrrLocalityLoadBalancer(helper);
    }
}
