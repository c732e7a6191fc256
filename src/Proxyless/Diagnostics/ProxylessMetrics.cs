using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Proxyless.Diagnostics;

/// <summary>
/// Proxyless's own instruments, beyond the gRFCs', on <see cref="ProxylessMeters.Stable"/> under a <c>proxyless.</c>
/// prefix: picks that had to wait for a picker and how long, attempts per backend, outlier ejections and un-ejections,
/// and health state changes. Each carries <c>grpc.target</c>; see docs/metrics.md.
/// </summary>
internal static class ProxylessMetrics
{
    private static readonly Meter Meter = ProxylessMeters.StableMeter;

    private static readonly Counter<long> PicksQueued = Meter.CreateCounter<long>(
        "proxyless.client.pick.queued", "{pick}", "Picks that found no READY backend and waited for a new picker.");

    private static readonly Histogram<double> PickQueueDuration = Meter.CreateHistogram(
        "proxyless.client.pick.queue_duration", "s", "How long a queued pick waited until it was placed or failed.", tags: null,
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = GrpcMetricBuckets.Latency });

    private static readonly Counter<long> BackendAttempts = Meter.CreateCounter<long>(
        "proxyless.client.backend.attempts", "{attempt}", "Call attempts started on each backend address.");

    private static readonly Counter<long> Ejections = Meter.CreateCounter<long>(
        "proxyless.lb.outlier_detection.ejections", "{ejection}", "Endpoints ejected by outlier detection.");

    private static readonly Counter<long> Unejections = Meter.CreateCounter<long>(
        "proxyless.lb.outlier_detection.unejections", "{ejection}", "Endpoints returned to service by outlier detection.");

    private static readonly Counter<long> HealthChanges = Meter.CreateCounter<long>(
        "proxyless.subchannel.health_changes", "{change}", "Health-check state changes of connected subchannels.");

    /// <summary>Whether attempts per backend are counted.</summary>
    public static bool BackendAttemptsEnabled => BackendAttempts.Enabled;

    /// <summary>Whether queued picks are counted or timed (so the wait's start is taken).</summary>
    public static bool PickQueueEnabled => PicksQueued.Enabled || PickQueueDuration.Enabled;

    public static void PickQueued(string target) => PicksQueued.Add(1, new KeyValuePair<string, object?>("grpc.target", target));

    public static void PickDequeued(string target, TimeSpan waited, string outcome)
    {
        if (PickQueueDuration.Enabled)
        {
            PickQueueDuration.Record(waited.TotalSeconds, new TagList { { "grpc.target", target }, { "proxyless.pick.outcome", outcome } });
        }
    }

    public static void BackendAttempt(string target, string backend)
    {
        if (BackendAttempts.Enabled)
        {
            BackendAttempts.Add(1, new TagList { { "grpc.target", target }, { "proxyless.backend", backend } });
        }
    }

    public static void Ejected(string target, string backend, string reason)
        => Ejections.Add(1, new TagList { { "grpc.target", target }, { "proxyless.backend", backend }, { "proxyless.ejection.reason", reason } });

    public static void Unejected(string target, string backend)
        => Unejections.Add(1, new TagList { { "grpc.target", target }, { "proxyless.backend", backend } });

    public static void HealthChanged(string target, string backend, string state)
        => HealthChanges.Add(1, new TagList { { "grpc.target", target }, { "proxyless.backend", backend }, { "proxyless.health.state", state } });
}
