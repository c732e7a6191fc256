namespace Proxyless.Balancing.Policies.OutlierDetection;

/// <summary>gRFC A50 failure-percentage ejection: eject addresses whose failure percentage is above a threshold.</summary>
/// <param name="Threshold">Eject above this failure percentage (0-100); default 85.</param>
/// <param name="EnforcementPercentage">Chance (0-100) that a detected outlier is really ejected; default 100.</param>
/// <param name="MinimumHosts">Fewest addresses with enough calls for the check to run; default 5.</param>
/// <param name="RequestVolume">Fewest calls in an interval for an address to count; default 50.</param>
public sealed record FailurePercentageEjectionConfig(int Threshold = 85, int EnforcementPercentage = 100, int MinimumHosts = 5, int RequestVolume = 50);
