using Proxyless.Configuration;

namespace Proxyless.Balancing.Policies.OutlierDetection;

/// <summary>The <c>outlier_detection</c> policy (gRFC A50): ejects addresses whose calls fail, around a child policy.</summary>
public sealed class OutlierDetectionLoadBalancerProvider : LoadBalancerProvider
{
    /// <summary>The policy name.</summary>
    public const string Name = "outlier_detection";

    /// <inheritdoc />
    public override string PolicyName => Name;

    /// <inheritdoc />
    public override LoadBalancerConfig ParseConfig(ConfigObject config, LoadBalancerRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        var childPolicy = ChildPolicies.Parse(config, registry);

        // The defaults are the config types' own: a field that is absent keeps its default.
        SuccessRateEjectionConfig? successRate = null;
        if (config.GetObject("successRateEjection") is { } sr)
        {
            var d = new SuccessRateEjectionConfig();
            successRate = new SuccessRateEjectionConfig(
                sr.GetInt32("stdevFactor", d.StdevFactor, 0),
                sr.GetInt32("enforcementPercentage", d.EnforcementPercentage, 0, 100),
                sr.GetInt32("minimumHosts", d.MinimumHosts, 0),
                sr.GetInt32("requestVolume", d.RequestVolume, 0));
        }

        FailurePercentageEjectionConfig? failure = null;
        if (config.GetObject("failurePercentageEjection") is { } fp)
        {
            var d = new FailurePercentageEjectionConfig();
            failure = new FailurePercentageEjectionConfig(
                fp.GetInt32("threshold", d.Threshold, 0, 100),
                fp.GetInt32("enforcementPercentage", d.EnforcementPercentage, 0, 100),
                fp.GetInt32("minimumHosts", d.MinimumHosts, 0),
                fp.GetInt32("requestVolume", d.RequestVolume, 0));
        }

        var defaults = new OutlierDetectionConfig { ChildPolicy = childPolicy };
        return defaults with
        {
            Interval = config.GetDuration("interval", defaults.Interval)!.Value,
            BaseEjectionTime = config.GetDuration("baseEjectionTime", defaults.BaseEjectionTime)!.Value,
            MaxEjectionTime = config.GetDuration("maxEjectionTime", defaults.MaxEjectionTime)!.Value,
            MaxEjectionPercent = config.GetInt32("maxEjectionPercent", defaults.MaxEjectionPercent, 0, 100),
            SuccessRateEjection = successRate,
            FailurePercentageEjection = failure,
        };
    }

    /// <inheritdoc />
    public override LoadBalancer Create(IChannelControlHelper helper) => new OutlierDetectionLoadBalancer(helper);
}
