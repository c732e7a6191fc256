using Proxyless.Balancing;

namespace CustomLoadBalancer.Client;

/// <summary>The config: <c>{"custom_round_robin":{"chooseSecond":3}}</c>.</summary>
/// <param name="ChooseSecond">Every n-th pick goes to the second endpoint (0: never).</param>
public sealed record CustomRoundRobinConfig(int ChooseSecond) : LoadBalancerConfig
{
    /// <inheritdoc />
    public override string PolicyName => CustomRoundRobinProvider.Name;
}
