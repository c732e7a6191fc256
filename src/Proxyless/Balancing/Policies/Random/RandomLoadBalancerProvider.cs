using Proxyless.Configuration;

namespace Proxyless.Balancing.Policies.Random;

/// <summary>The <c>random</c> policy: each call goes to a READY endpoint chosen uniformly at random.</summary>
public sealed class RandomLoadBalancerProvider : LoadBalancerProvider
{
    /// <summary>The policy name.</summary>
    public const string Name = "random";

    /// <inheritdoc />
    public override string PolicyName => Name;

    /// <inheritdoc />
    public override LoadBalancerConfig ParseConfig(ConfigObject config, LoadBalancerRegistry registry) => new RandomConfig();

    /// <inheritdoc />
    public override LoadBalancer Create(IChannelControlHelper helper) => new RandomLoadBalancer(helper);
}
