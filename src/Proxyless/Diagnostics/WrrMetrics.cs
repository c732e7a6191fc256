using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Proxyless.Diagnostics;

/// <summary>
/// gRFC A78's weighted_round_robin instruments, recorded on every scheduler update (each new picker): updates that fell
/// back to round robin, endpoints whose weight is not yet usable or is stale, and every endpoint's weight (0 when not
/// usable). Labelled <c>grpc.target</c> and <c>grpc.lb.locality</c> (empty: Proxyless has no localities yet).
/// Experimental in gRPC, so on <see cref="ProxylessMeters.Experimental"/>.
/// </summary>
internal static class WrrMetrics
{
    private static readonly Meter Meter = ProxylessMeters.ExperimentalMeter;

    private static readonly Counter<long> RrFallback = Meter.CreateCounter<long>(
        "grpc.lb.wrr.rr_fallback", "{update}", "Number of scheduler updates in which there were not enough endpoints with valid weight, which caused the WRR policy to fall back to RR behavior.");

    private static readonly Counter<long> NotYetUsable = Meter.CreateCounter<long>(
        "grpc.lb.wrr.endpoint_weight_not_yet_usable", "{endpoint}", "Number of endpoints from each scheduler update that don't yet have usable weight information.");

    private static readonly Counter<long> Stale = Meter.CreateCounter<long>(
        "grpc.lb.wrr.endpoint_weight_stale", "{endpoint}", "Number of endpoints from each scheduler update whose latest weight is older than the expiration period.");

    private static readonly Histogram<double> Weights = Meter.CreateHistogram<double>(
        "grpc.lb.wrr.endpoint_weights", "{weight}", "Weight of each endpoint, recorded on every scheduler update.");

    /// <summary>Whether any WRR instrument is listened to.</summary>
    public static bool Enabled => RrFallback.Enabled || NotYetUsable.Enabled || Stale.Enabled || Weights.Enabled;

    /// <summary>Records one scheduler update.</summary>
    public static void SchedulerUpdated(string target, IReadOnlyList<double> usableWeights, int notYetUsable, int stale, bool fellBack)
    {
        var tags = new TagList { { "grpc.target", target }, { "grpc.lb.locality", "" } };
        if (fellBack)
        {
            RrFallback.Add(1, tags);
        }

        if (notYetUsable > 0)
        {
            NotYetUsable.Add(notYetUsable, tags);
        }

        if (stale > 0)
        {
            Stale.Add(stale, tags);
        }

        if (Weights.Enabled)
        {
            foreach (var weight in usableWeights)
            {
                Weights.Record(weight, tags);
            }
        }
    }
}
