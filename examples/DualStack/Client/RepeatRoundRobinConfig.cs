using Proxyless.Balancing;

namespace DualStack.Client;

/// <summary>The config: <c>{"custom_round_robin":{"repeatCount":3}}</c>.</summary>
/// <param name="RepeatCount">How many calls go to one endpoint before moving to the next.</param>
public sealed record RepeatRoundRobinConfig(int RepeatCount) : LoadBalancerConfig
{
    /// <inheritdoc />
    public override string PolicyName => RepeatRoundRobinProvider.Name;
}
