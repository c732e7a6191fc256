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
        if (!config.TryGet("childPolicy", out var child))
        {
            throw config.Error("childPolicy", "is required (e.g. [{\"round_robin\":{}}])");
        }

        SuccessRateEjectionConfig? successRate = null;
        if (config.GetObject("successRateEjection") is { } sr)
        {
            successRate = new SuccessRateEjectionConfig(
                sr.GetInt32("stdevFactor", 1900, 0),
                sr.GetInt32("enforcementPercentage", 100, 0, 100),
                sr.GetInt32("minimumHosts", 5, 0),
                sr.GetInt32("requestVolume", 100, 0));
        }

        FailurePercentageEjectionConfig? failure = null;
        if (config.GetObject("failurePercentageEjection") is { } fp)
        {
            failure = new FailurePercentageEjectionConfig(
                fp.GetInt32("threshold", 85, 0, 100),
                fp.GetInt32("enforcementPercentage", 100, 0, 100),
                fp.GetInt32("minimumHosts", 5, 0),
                fp.GetInt32("requestVolume", 50, 0));
        }

        var baseEjection = config.GetDuration("baseEjectionTime", TimeSpan.FromSeconds(30))!.Value;
        return new OutlierDetectionConfig
        {
            Interval = config.GetDuration("interval", TimeSpan.FromSeconds(10))!.Value,
            BaseEjectionTime = baseEjection,
            MaxEjectionTime = config.GetDuration("maxEjectionTime", TimeSpan.FromSeconds(300))!.Value,
            MaxEjectionPercent = config.GetInt32("maxEjectionPercent", 10, 0, 100),
            SuccessRateEjection = successRate,
            FailurePercentageEjection = failure,
            ChildPolicy = registry.SelectFirstRegistered(child, config.FieldPath("childPolicy")),
        };
    }

    /// <inheritdoc />
    public override LoadBalancer Create(IChannelControlHelper helper) => new OutlierDetectionLoadBalancer(helper);
}
