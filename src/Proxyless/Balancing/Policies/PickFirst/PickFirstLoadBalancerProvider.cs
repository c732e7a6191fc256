using Proxyless.Configuration;

namespace Proxyless.Balancing.Policies.PickFirst;

/// <summary>The <c>pick_first</c> policy: connects to the addresses in order and sends every call to the first that connects.</summary>
public sealed class PickFirstLoadBalancerProvider : LoadBalancerProvider
{
    /// <summary>The policy name.</summary>
    public const string Name = "pick_first";

    /// <summary>pick_first with its default config: the per-endpoint policy of round_robin and the other endpoint policies.</summary>
    public static PolicySelection Default { get; } = new(new PickFirstLoadBalancerProvider(), new PickFirstConfig());

    /// <inheritdoc />
    public override string PolicyName => Name;

    /// <inheritdoc />
    public override LoadBalancerConfig ParseConfig(ConfigObject config, LoadBalancerRegistry registry)
        => new PickFirstConfig(config.GetBoolean("shuffleAddressList", false))
        {
            ConnectionAttemptDelay = config.GetDuration("connectionAttemptDelay", PickFirstConfig.DefaultConnectionAttemptDelay)!.Value,
        };

    /// <inheritdoc />
    public override LoadBalancer Create(IChannelControlHelper helper) => new PickFirstLoadBalancer(helper);
}
