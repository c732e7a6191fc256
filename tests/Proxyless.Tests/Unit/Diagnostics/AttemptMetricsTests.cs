using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using Proxyless.Diagnostics;

namespace Proxyless.Tests.Unit.Diagnostics;

/// <summary>The gRFCs' names: status values, every instrument's meter, name, type and unit, and histogram buckets.</summary>
public class AttemptMetricsTests
{
    [Theory]
    [InlineData(StatusCode.OK, "OK")]
    [InlineData(StatusCode.DeadlineExceeded, "DEADLINE_EXCEEDED")]
    [InlineData(StatusCode.Unavailable, "UNAVAILABLE")]
    [InlineData(StatusCode.Unauthenticated, "UNAUTHENTICATED")]
    public void StatusesUseGrpcsCanonicalNames(StatusCode status, string name) => Assert.Equal(name, AttemptMetrics.StatusName(status));

    [Theory]
    [InlineData(ProxylessMeters.Stable, "grpc.client.attempt.started", "Counter`1", "{attempt}")]
    [InlineData(ProxylessMeters.Stable, "grpc.client.attempt.duration", "Histogram`1", "s")]
    [InlineData(ProxylessMeters.Stable, "grpc.client.attempt.sent_total_compressed_message_size", "Histogram`1", "By")]
    [InlineData(ProxylessMeters.Stable, "grpc.client.attempt.rcvd_total_compressed_message_size", "Histogram`1", "By")]
    [InlineData(ProxylessMeters.Stable, "grpc.client.call.duration", "Histogram`1", "s")]
    [InlineData(ProxylessMeters.Experimental, "grpc.client.call.retries", "Histogram`1", "{retry}")]
    [InlineData(ProxylessMeters.Experimental, "grpc.client.call.transparent_retries", "Histogram`1", "{transparent_retry}")]
    [InlineData(ProxylessMeters.Experimental, "grpc.client.call.hedges", "Histogram`1", "{hedge}")]
    [InlineData(ProxylessMeters.Experimental, "grpc.client.call.retry_delay", "Histogram`1", "s")]
    [InlineData(ProxylessMeters.Experimental, "grpc.subchannel.disconnections", "Counter`1", "{disconnection}")]
    [InlineData(ProxylessMeters.Experimental, "grpc.subchannel.connection_attempts_succeeded", "Counter`1", "{attempt}")]
    [InlineData(ProxylessMeters.Experimental, "grpc.subchannel.connection_attempts_failed", "Counter`1", "{attempt}")]
    [InlineData(ProxylessMeters.Experimental, "grpc.subchannel.open_connections", "UpDownCounter`1", "{connection}")]
    [InlineData(ProxylessMeters.Experimental, "grpc.lb.wrr.rr_fallback", "Counter`1", "{update}")]
    [InlineData(ProxylessMeters.Experimental, "grpc.lb.wrr.endpoint_weight_not_yet_usable", "Counter`1", "{endpoint}")]
    [InlineData(ProxylessMeters.Experimental, "grpc.lb.wrr.endpoint_weight_stale", "Counter`1", "{endpoint}")]
    [InlineData(ProxylessMeters.Experimental, "grpc.lb.wrr.endpoint_weights", "Histogram`1", "{weight}")]
    [InlineData(ProxylessMeters.Stable, "proxyless.client.pick.queued", "Counter`1", "{pick}")]
    [InlineData(ProxylessMeters.Stable, "proxyless.client.pick.queue_duration", "Histogram`1", "s")]
    [InlineData(ProxylessMeters.Stable, "proxyless.client.backend.attempts", "Counter`1", "{attempt}")]
    [InlineData(ProxylessMeters.Stable, "proxyless.lb.outlier_detection.ejections", "Counter`1", "{ejection}")]
    [InlineData(ProxylessMeters.Stable, "proxyless.lb.outlier_detection.unejections", "Counter`1", "{ejection}")]
    [InlineData(ProxylessMeters.Stable, "proxyless.subchannel.health_changes", "Counter`1", "{change}")]
    public void EveryInstrumentHasItsGrfcMeterNameTypeAndUnit(string meter, string name, string type, string unit)
    {
        var instrument = Published().SingleOrDefault(i => i.Name == name);
        Assert.NotNull(instrument);
        Assert.Equal(meter, instrument.Meter.Name);
        Assert.Equal(type, instrument.GetType().Name);
        Assert.Equal(unit, instrument.Unit);
    }

    [Fact]
    public void HistogramsAdviseA66sBuckets()
    {
        var instruments = Published();
        var latency = ((Histogram<double>)instruments.Single(i => i.Name == "grpc.client.attempt.duration")).Advice!.HistogramBucketBoundaries!;
        Assert.Equal(41, latency.Count);
        Assert.Equal(0.00001, latency[1]);
        Assert.Equal(100, latency[^1]);
        Assert.Equal(latency, ((Histogram<double>)instruments.Single(i => i.Name == "grpc.client.call.duration")).Advice!.HistogramBucketBoundaries!);
        Assert.Equal(latency, ((Histogram<double>)instruments.Single(i => i.Name == "grpc.client.call.retry_delay")).Advice!.HistogramBucketBoundaries!);

        var size = ((Histogram<long>)instruments.Single(i => i.Name == "grpc.client.attempt.sent_total_compressed_message_size")).Advice!.HistogramBucketBoundaries!;
        Assert.Equal(14, size.Count);
        Assert.Equal(4294967296, size[^1]);
        Assert.Equal([1, 2, 3, 4, 5], ((Histogram<long>)instruments.Single(i => i.Name == "grpc.client.call.retries")).Advice!.HistogramBucketBoundaries!);
        Assert.Equal([1, 2, 3, 4, 5, 10], ((Histogram<long>)instruments.Single(i => i.Name == "grpc.client.call.transparent_retries")).Advice!.HistogramBucketBoundaries!);
    }

    // Every instrument of both meters, once the classes that create them are initialized.
    private static List<Instrument> Published()
    {
        foreach (var type in new[] { typeof(AttemptMetrics), typeof(CallMetrics), typeof(SubchannelMetrics), typeof(WrrMetrics), typeof(ProxylessMetrics) })
        {
            RuntimeHelpers.RunClassConstructor(type.TypeHandle);
        }

        var instruments = new List<Instrument>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, _) =>
            {
                if (instrument.Meter.Name is ProxylessMeters.Stable or ProxylessMeters.Experimental)
                {
                    lock (instruments)
                    {
                        instruments.Add(instrument);
                    }
                }
            },
        };
        listener.Start();
        return instruments;
    }
}
