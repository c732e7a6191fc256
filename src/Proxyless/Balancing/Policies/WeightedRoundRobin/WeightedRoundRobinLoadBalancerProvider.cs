using Proxyless.Configuration;

namespace Proxyless.Balancing.Policies.WeightedRoundRobin;

/// <summary>
/// The <c>weighted_round_robin</c> policy (gRFC A58): each READY endpoint gets a share of calls proportional to its
/// weight, from per-call ORCA load reports (qps / (utilization + eps/qps x penalty)) or, for backends that send none,
/// from a static weight attribute (a registry entry's <c>weight</c>).
/// </summary>
public sealed class WeightedRoundRobinLoadBalancerProvider : LoadBalancerProvider
{
    /// <summary>The policy name.</summary>
    public const string Name = "weighted_round_robin";

    /// <inheritdoc />
    public override string PolicyName => Name;

    /// <inheritdoc />
    public override LoadBalancerConfig ParseConfig(ConfigObject config, LoadBalancerRegistry registry)
    {
        if (config.GetBoolean("enableOobLoadReport", false))
        {
            throw config.Error("enableOobLoadReport", "out-of-band ORCA reporting is not supported; weights come from per-call reports");
        }

        config.GetDuration("oobReportingPeriod"); // accepted (validated) for compatibility; unused without OOB reporting
        var defaults = new WeightedRoundRobinConfig();
        var update = config.GetDuration("weightUpdatePeriod", defaults.WeightUpdatePeriod)!.Value;
        return defaults with
        {
            BlackoutPeriod = config.GetDuration("blackoutPeriod", defaults.BlackoutPeriod, mustBePositive: false)!.Value,
            WeightExpirationPeriod = config.GetDuration("weightExpirationPeriod", defaults.WeightExpirationPeriod)!.Value,
            WeightUpdatePeriod = update < WeightedRoundRobinConfig.MinWeightUpdatePeriod ? WeightedRoundRobinConfig.MinWeightUpdatePeriod : update,
            ErrorUtilizationPenalty = config.GetDouble("errorUtilizationPenalty", defaults.ErrorUtilizationPenalty, 0),
        };
    }

    /// <inheritdoc />
    public override LoadBalancer Create(IChannelControlHelper helper) => new WeightedRoundRobinLoadBalancer(helper);
}
