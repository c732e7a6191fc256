namespace Proxyless.Balancing.Policies.OutlierDetection;

/// <summary>
/// The config of <c>outlier_detection</c> (gRFC A50), e.g.
/// <c>{"outlier_detection":{"interval":"10s","failurePercentageEjection":{},"childPolicy":[{"round_robin":{}}]}}</c>.
/// With neither ejection algorithm configured the policy only passes through to its child.
/// </summary>
public sealed record OutlierDetectionConfig : LoadBalancerConfig
{
    /// <summary>How often the ejection algorithms run; default 10 s.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Ejection time is this times the address's ejection count (multiplier); default 30 s.</summary>
    public TimeSpan BaseEjectionTime { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Longest ejection (or <see cref="BaseEjectionTime"/> if larger); default 300 s.</summary>
    public TimeSpan MaxEjectionTime { get; init; } = TimeSpan.FromSeconds(300);

    /// <summary>Most addresses ejected at once, in percent; default 10 (at least one can always be ejected).</summary>
    public int MaxEjectionPercent { get; init; } = 10;

    /// <summary>Success-rate ejection, or null when off.</summary>
    public SuccessRateEjectionConfig? SuccessRateEjection { get; init; }

    /// <summary>Failure-percentage ejection, or null when off.</summary>
    public FailurePercentageEjectionConfig? FailurePercentageEjection { get; init; }

    /// <summary>The wrapped policy.</summary>
    public required PolicySelection ChildPolicy { get; init; }

    /// <summary>Whether any ejection algorithm is on.</summary>
    public bool EjectionEnabled => SuccessRateEjection is not null || FailurePercentageEjection is not null;

    /// <inheritdoc />
    public override string PolicyName => OutlierDetectionLoadBalancerProvider.Name;
}
