using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Proxyless.Diagnostics;

/// <summary>
/// Per-call instruments, recorded when a call ends: gRFC A66's <c>grpc.client.call.duration</c> on
/// <see cref="ProxylessMeters.Stable"/>, and gRFC A96's retry instruments (<c>grpc.client.call.retries</c>,
/// <c>transparent_retries</c>, <c>hedges</c>, <c>retry_delay</c>), experimental in gRPC, on
/// <see cref="ProxylessMeters.Experimental"/>. All carry <c>grpc.method</c> and <c>grpc.target</c>.
/// </summary>
internal static class CallMetrics
{
    private static readonly Meter Stable = ProxylessMeters.StableMeter;
    private static readonly Meter Experimental = ProxylessMeters.ExperimentalMeter;

    private static readonly Histogram<double> Duration = Stable.CreateHistogram(
        "grpc.client.call.duration", "s", "Time taken by the gRPC library to complete a client call.", tags: null,
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = GrpcMetricBuckets.Latency });

    private static readonly Histogram<long> Retries = Experimental.CreateHistogram(
        "grpc.client.call.retries", "{retry}", "Number of retries during the client call.", tags: null,
        advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = [1, 2, 3, 4, 5] });

    private static readonly Histogram<long> TransparentRetries = Experimental.CreateHistogram(
        "grpc.client.call.transparent_retries", "{transparent_retry}", "Number of transparent retries during the client call.", tags: null,
        advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = [1, 2, 3, 4, 5, 10] });

    private static readonly Histogram<long> Hedges = Experimental.CreateHistogram(
        "grpc.client.call.hedges", "{hedge}", "Number of hedges during the client call.", tags: null,
        advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = [1, 2, 3, 4, 5] });

    private static readonly Histogram<double> RetryDelay = Experimental.CreateHistogram(
        "grpc.client.call.retry_delay", "s", "Total time of delay while there is no active attempt during the client call.", tags: null,
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = GrpcMetricBuckets.Latency });

    /// <summary>Whether any per-call instrument is listened to (else calls are not followed at all).</summary>
    public static bool Enabled => Duration.Enabled || Retries.Enabled || TransparentRetries.Enabled || Hedges.Enabled || RetryDelay.Enabled;

    /// <summary>Records a call's end. Counts of zero are not recorded (A96).</summary>
    public static void CallEnded(string method, string target, StatusCode status, TimeSpan elapsed, int retries, bool hedged, int transparentRetries, TimeSpan retryDelay)
    {
        var tags = new TagList { { "grpc.method", method }, { "grpc.target", target } };
        if (retries > 0)
        {
            (hedged ? Hedges : Retries).Record(retries, tags);
        }

        if (transparentRetries > 0)
        {
            TransparentRetries.Record(transparentRetries, tags);
        }

        if (RetryDelay.Enabled)
        {
            RetryDelay.Record(retryDelay.TotalSeconds, tags);
        }

        if (Duration.Enabled)
        {
            tags.Add("grpc.status", AttemptMetrics.StatusName(status));
            Duration.Record(elapsed.TotalSeconds, tags);
        }
    }
}
