using Proxyless.Configuration;

namespace Proxyless.Balancing.Policies.P2cEwma;

/// <summary>
/// The <c>p2c_ewma</c> policy: latency-aware balancing by the power of two choices. Each pick draws two distinct READY
/// endpoints at random and takes the cheaper, cost being the endpoint's latency estimate to the power k times its calls
/// in flight plus one. The estimate is an EWMA of each call's time to response headers, decayed by the time since that
/// endpoint's previous sample; a failed call counts as at least <c>errorPenalty</c>; an endpoint not picked for
/// <c>probeInterval</c> gets one probe call.
/// </summary>
public sealed class P2cEwmaLoadBalancerProvider : LoadBalancerProvider
{
    /// <summary>The policy name.</summary>
    public const string Name = "p2c_ewma";

    /// <inheritdoc />
    public override string PolicyName => Name;

    /// <inheritdoc />
    public override LoadBalancerConfig ParseConfig(ConfigObject config, LoadBalancerRegistry registry)
    {
        var peak = config.GetBoolean("peak", false);
        var defaults = peak ? P2cEwmaConfig.Default with { Peak = true, LatencyExponent = 1, DecayTime = TimeSpan.FromSeconds(10) } : P2cEwmaConfig.Default;
        return defaults with
        {
            ChoiceCount = config.GetInt32("choiceCount", defaults.ChoiceCount, min: 2, max: 10),
            DecayTime = config.GetDuration("decayTime", defaults.DecayTime)!.Value,
            DefaultRtt = config.GetDuration("defaultRtt", defaults.DefaultRtt)!.Value,
            LatencyExponent = config.GetDouble("latencyExponent", defaults.LatencyExponent, min: 0, max: 10),
            ErrorPenalty = config.GetDuration("errorPenalty", defaults.ErrorPenalty, mustBePositive: false)!.Value,
            ProbeInterval = config.GetDuration("probeInterval", defaults.ProbeInterval)!.Value,
        };
    }

    /// <inheritdoc />
    public override LoadBalancer Create(IChannelControlHelper helper) => new P2cEwmaLoadBalancer(helper);
}
