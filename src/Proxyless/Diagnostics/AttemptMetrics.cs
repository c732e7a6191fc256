using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Proxyless.Diagnostics;

/// <summary>
/// gRFC A66's per-attempt client instruments on <see cref="ProxylessMeters.Stable"/>: <c>grpc.client.attempt.started</c>
/// (<c>grpc.method</c>, <c>grpc.target</c>) and <c>grpc.client.attempt.duration</c> (also <c>grpc.status</c>), with
/// A66's latency buckets. Nothing is computed unless a listener enabled the instrument.
/// </summary>
internal static class AttemptMetrics
{
    private static readonly Meter Meter = new(ProxylessMeters.Stable);

    // A66's latency buckets, in seconds.
    private static readonly double[] LatencyBuckets =
    [
        0, 0.00001, 0.00005, 0.0001, 0.0003, 0.0006, 0.0008, 0.001, 0.002, 0.003, 0.004, 0.005, 0.006, 0.008, 0.01,
        0.013, 0.016, 0.02, 0.025, 0.03, 0.04, 0.05, 0.065, 0.08, 0.1, 0.13, 0.16, 0.2, 0.25, 0.3, 0.4, 0.5, 0.65, 0.8,
        1, 2, 5, 10, 20, 50, 100,
    ];

    private static readonly Counter<long> Started = Meter.CreateCounter<long>(
        "grpc.client.attempt.started", "{attempt}", "Number of client call attempts started.");

    private static readonly Histogram<double> Duration = Meter.CreateHistogram(
        "grpc.client.attempt.duration", "s", "Time taken to complete a client call attempt.", tags: null,
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });

    // gRPC's canonical status names (A66's grpc.status values).
    private static readonly string[] StatusNames =
    [
        "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS",
        "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED",
        "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED",
    ];

    /// <summary>Whether attempts are counted.</summary>
    public static bool StartedEnabled => Started.Enabled;

    /// <summary>Whether the duration is wanted (so the attempt keeps its start time).</summary>
    public static bool DurationEnabled => Duration.Enabled;

    public static void AttemptStarted(string method, string target)
    {
        if (Started.Enabled)
        {
            Started.Add(1, new TagList { { "grpc.method", method }, { "grpc.target", target } });
        }
    }

    public static void AttemptEnded(string method, string target, StatusCode status, TimeSpan elapsed)
    {
        if (Duration.Enabled)
        {
            Duration.Record(elapsed.TotalSeconds, new TagList { { "grpc.method", method }, { "grpc.target", target }, { "grpc.status", StatusName(status) } });
        }
    }

    /// <summary>The full method name, <c>package.Service/Method</c>, from the request path.</summary>
    public static string Method(HttpRequestMessage request) => request.RequestUri?.AbsolutePath.TrimStart('/') ?? "";

    public static string StatusName(StatusCode status) => (int)status >= 0 && (int)status < StatusNames.Length ? StatusNames[(int)status] : ((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture);
}
