using Proxyless.Configuration;

namespace Proxyless.Balancing.Policies.RoundRobin;

/// <summary>The <c>round_robin</c> policy: connects to every endpoint and rotates calls over the READY ones.</summary>
public sealed class RoundRobinLoadBalancerProvider : LoadBalancerProvider
{
    /// <summary>The policy name.</summary>
    public const string Name = "round_robin";

    /// <inheritdoc />
    public override string PolicyName => Name;

    /// <inheritdoc />
    public override LoadBalancerConfig ParseConfig(ConfigObject config, LoadBalancerRegistry registry) => new RoundRobinConfig();

    /// <inheritdoc />
    public override LoadBalancer Create(IChannelControlHelper helper) => new RoundRobinLoadBalancer(helper);
}
