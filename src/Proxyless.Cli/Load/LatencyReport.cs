namespace Proxyless.Cli.Load;

/// <summary>Latency percentiles in milliseconds (all zero when no call succeeded).</summary>
internal sealed record LatencyReport(double Min, double Mean, double P50, double P90, double P99, double Max);
