namespace Proxyless.Balancing.Policies.OutlierDetection;

/// <summary>gRFC A50 success-rate ejection: eject addresses whose success rate is far below the mean.</summary>
/// <param name="StdevFactor">Eject below mean - stdev * (StdevFactor / 1000); default 1900.</param>
/// <param name="EnforcementPercentage">Chance (0-100) that a detected outlier is really ejected; default 100.</param>
/// <param name="MinimumHosts">Fewest addresses with enough calls for the check to run; default 5.</param>
/// <param name="RequestVolume">Fewest calls in an interval for an address to count; default 100.</param>
public sealed record SuccessRateEjectionConfig(int StdevFactor = 1900, int EnforcementPercentage = 100, int MinimumHosts = 5, int RequestVolume = 100);
