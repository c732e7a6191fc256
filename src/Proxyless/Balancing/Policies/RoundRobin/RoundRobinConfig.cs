namespace Proxyless.Balancing.Policies.RoundRobin;

/// <summary>The config of <c>round_robin</c> (it has no fields): <c>{"round_robin":{}}</c>.</summary>
public sealed record RoundRobinConfig : LoadBalancerConfig
{
    /// <inheritdoc />
    public override string PolicyName => RoundRobinLoadBalancerProvider.Name;
}
