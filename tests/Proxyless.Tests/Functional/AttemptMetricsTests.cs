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
    private readonly MetricRecorder _metrics = new(ProxylessMeters.Stable);

    public void Dispose() => _metrics.Dispose();

    private List<Dictionary<string, object?>> Of(string name, string target) => [.. _metrics.Of(name, target).Select(m => m.Tags)];

    [Fact]
    public async Task EveryAttemptIsStartedAndTimedWithItsMethodTargetAndStatus()
    {
        await using var backends = await BackendSet.StartAsync(2, (i, o) => o.FailWith = i == 1 ? StatusCode.ResourceExhausted : null);
        var target = backends.Target;
        using var channel = BalancedChannel.Create(target, new BalancedChannelOptions { ServiceConfig = """{"loadBalancingConfig":[{"round_robin":{}}]}""" });
        await channel.ConnectAsync();
        await Eventually.ReadyAsync(channel, 2, "both READY");
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
