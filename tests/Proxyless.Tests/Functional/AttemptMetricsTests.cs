using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Grpc.Examples.Echo;
using Proxyless.Diagnostics;
using Proxyless.Tests.Support;

namespace Proxyless.Tests.Functional;

/// <summary>
/// gRFC A66's per-attempt instruments on real calls: N calls make N <c>grpc.client.attempt.started</c> and N
/// <c>grpc.client.attempt.duration</c> measurements with the exact method, target and status. Filtered by this test's
/// target, so tests running at the same time do not count.
/// </summary>
public sealed class AttemptMetricsTests : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<(string Name, Dictionary<string, object?> Tags)> _measurements = new();

    public AttemptMetricsTests()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == ProxylessMeters.Stable)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, _, tags, _) => Record(instrument, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, _, tags, _) => Record(instrument, tags));
        _listener.Start();
    }

    public void Dispose() => _listener.Dispose();

    private void Record(Instrument instrument, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var dictionary = new Dictionary<string, object?>();
        foreach (var tag in tags)
        {
            dictionary[tag.Key] = tag.Value;
        }

        _measurements.Enqueue((instrument.Name, dictionary));
    }

    private List<Dictionary<string, object?>> Of(string name, string target)
        => [.. _measurements.Where(m => m.Name == name && Equals(m.Tags["grpc.target"], target)).Select(m => m.Tags)];

    [Fact]
    public async Task EveryAttemptIsStartedAndTimedWithItsMethodTargetAndStatus()
    {
        await using var backends = await BackendSet.StartAsync(2, (i, o) => o.FailWith = i == 1 ? StatusCode.ResourceExhausted : null);
        var target = backends.Target;
        using var channel = BalancedChannel.Create(target, new BalancedChannelOptions { ServiceConfig = """{"loadBalancingConfig":[{"round_robin":{}}]}""" });
        await channel.ConnectAsync();
        await Eventually.TrueAsync(() => channel.GetDiagnostics().Subchannels.Count(s => s.State == ConnectivityState.Ready) == 2, "both READY");
        var client = new Echo.EchoClient(channel);
        for (var i = 0; i < 6; i++)
        {
            try
            {
                await client.UnaryEchoAsync(new EchoRequest { Message = "m" }, deadline: DateTime.UtcNow.AddSeconds(10));
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.ResourceExhausted)
            {
            }
        }

        var started = Of("grpc.client.attempt.started", target);
        Assert.Equal(6, started.Count);
        Assert.All(started, t => Assert.Equal("grpc.examples.echo.Echo/UnaryEcho", t["grpc.method"]));
        await Eventually.TrueAsync(() => Of("grpc.client.attempt.duration", target).Count == 6, "six attempt durations");
        var statuses = Of("grpc.client.attempt.duration", target).Select(t => (string)t["grpc.status"]!).Order().ToArray();
        Assert.Equal(["OK", "OK", "OK", "RESOURCE_EXHAUSTED", "RESOURCE_EXHAUSTED", "RESOURCE_EXHAUSTED"], statuses);
    }
}
