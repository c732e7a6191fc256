namespace Proxyless.Balancing.Policies.WeightedRoundRobin;

/// <summary>
/// The config of <c>weighted_round_robin</c> (gRFC A58), e.g.
/// <c>{"weighted_round_robin":{"blackoutPeriod":"10s","weightUpdatePeriod":"1s"}}</c>.
/// </summary>
public sealed record WeightedRoundRobinConfig : LoadBalancerConfig
{
    /// <summary>A backend's ORCA weight is used only after it has reported for this long; default 10 s.</summary>
    public TimeSpan BlackoutPeriod { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>A weight not refreshed for this long is dropped; default 3 min.</summary>
    public TimeSpan WeightExpirationPeriod { get; init; } = TimeSpan.FromMinutes(3);

    /// <summary>The shortest <see cref="WeightUpdatePeriod"/>: shorter values are raised to it (gRFC A58).</summary>
    internal static readonly TimeSpan MinWeightUpdatePeriod = TimeSpan.FromMilliseconds(100);

    /// <summary>How often the scheduler is rebuilt from the current weights; default 1 s, at least 100 ms.</summary>
    public TimeSpan WeightUpdatePeriod { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How much errors per second count against a backend: utilization + eps/qps x penalty; default 1.</summary>
    public double ErrorUtilizationPenalty { get; init; } = 1.0;

    /// <inheritdoc />
    public override string PolicyName => WeightedRoundRobinLoadBalancerProvider.Name;
}
