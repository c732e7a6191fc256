using System.Diagnostics.Metrics;
using Proxyless.Diagnostics;

namespace Proxyless.Tests.Unit.Diagnostics;

/// <summary>gRFC A66's names: status values and the latency histogram's bucket boundaries.</summary>
public class AttemptMetricsTests
{
    [Theory]
    [InlineData(StatusCode.OK, "OK")]
    [InlineData(StatusCode.DeadlineExceeded, "DEADLINE_EXCEEDED")]
    [InlineData(StatusCode.Unavailable, "UNAVAILABLE")]
    [InlineData(StatusCode.Unauthenticated, "UNAUTHENTICATED")]
    public void StatusesUseGrpcsCanonicalNames(StatusCode status, string name) => Assert.Equal(name, AttemptMetrics.StatusName(status));

    [Fact]
    public void TheDurationHistogramAdvisesA66sLatencyBuckets()
    {
        Histogram<double>? duration = null;
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, _) =>
            {
                if (instrument is Histogram<double> { Name: "grpc.client.attempt.duration" } h && instrument.Meter.Name == ProxylessMeters.Stable)
                {
                    duration = h;
                }
            },
        };
        listener.Start();
        _ = AttemptMetrics.DurationEnabled; // the instruments exist once the type is initialized
        Assert.NotNull(duration);
        Assert.Equal("s", duration.Unit);
        var buckets = duration.Advice!.HistogramBucketBoundaries!;
        Assert.Equal(41, buckets.Count);
        Assert.Equal(0.00001, buckets[1]);
        Assert.Equal(100, buckets[^1]);
    }
}
