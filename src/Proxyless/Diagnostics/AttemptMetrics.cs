using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Proxyless.Diagnostics;

/// <summary>
/// gRFC A66's per-attempt client instruments on <see cref="ProxylessMeters.Stable"/>: <c>grpc.client.attempt.started</c>
/// (<c>grpc.method</c>, <c>grpc.target</c>), <c>grpc.client.attempt.duration</c> and the sent and received compressed
/// message sizes (also <c>grpc.status</c>), with A66's buckets. Nothing is computed unless a listener enabled the
/// instrument.
/// </summary>
internal static class AttemptMetrics
{
    private static readonly Meter Meter = ProxylessMeters.StableMeter;

    private static readonly Counter<long> Started = Meter.CreateCounter<long>(
        "grpc.client.attempt.started", "{attempt}", "Number of client call attempts started.");

    private static readonly Histogram<double> Duration = Meter.CreateHistogram(
        "grpc.client.attempt.duration", "s", "Time taken to complete a client call attempt.", tags: null,
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = GrpcMetricBuckets.Latency });

    private static readonly Histogram<long> SentSize = Meter.CreateHistogram(
        "grpc.client.attempt.sent_total_compressed_message_size", "By", "Compressed message bytes sent per call attempt.", tags: null,
        advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = GrpcMetricBuckets.Size });

    private static readonly Histogram<long> ReceivedSize = Meter.CreateHistogram(
        "grpc.client.attempt.rcvd_total_compressed_message_size", "By", "Compressed message bytes received per call attempt.", tags: null,
        advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = GrpcMetricBuckets.Size });

    // gRPC's canonical status names (A66's grpc.status values).
    private static readonly string[] StatusNames =
    [
        "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS",
        "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED",
        "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED",
    ];

    /// <summary>Whether attempts are counted.</summary>
    public static bool StartedEnabled => Started.Enabled;

    /// <summary>Whether anything is recorded when an attempt ends (so the attempt keeps its method and start time).</summary>
    public static bool EndEnabled => Duration.Enabled || SentSize.Enabled || ReceivedSize.Enabled;

    /// <summary>Whether request message bytes are counted.</summary>
    public static bool SentSizeEnabled => SentSize.Enabled;

    /// <summary>Whether response message bytes are counted.</summary>
    public static bool ReceivedSizeEnabled => ReceivedSize.Enabled;

    public static void AttemptStarted(string method, string target)
    {
        if (Started.Enabled)
        {
            Started.Add(1, new TagList { { "grpc.method", method }, { "grpc.target", target } });
        }
    }

    /// <summary>Records an attempt's end: its duration, and the message bytes it sent and received when counted.</summary>
    public static void AttemptEnded(string method, string target, StatusCode status, TimeSpan elapsed, long? sent, long? received)
    {
        var tags = new TagList { { "grpc.method", method }, { "grpc.target", target }, { "grpc.status", StatusName(status) } };
        if (Duration.Enabled)
        {
            Duration.Record(elapsed.TotalSeconds, tags);
        }

        if (sent is { } s && SentSize.Enabled)
        {
            SentSize.Record(s, tags);
        }

        if (received is { } r && ReceivedSize.Enabled)
        {
            ReceivedSize.Record(r, tags);
        }
    }

    public static string StatusName(StatusCode status) => (int)status >= 0 && (int)status < StatusNames.Length ? StatusNames[(int)status] : ((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture);
}
