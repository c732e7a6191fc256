using Grpc.Examples.Echo;
using Proxyless.Tests.Support;
using Proxyless.Transport;

namespace Proxyless.Tests.Functional;

public class KeepAliveTests
{
    [Fact]
    public async Task KeepAlivePingsNoticeAFrozenServerAndTheChannelLeavesReady()
    {
        await using var backends = await BackendSet.StartAsync(1);
        await using var proxy = new FreezableProxy((System.Net.IPEndPoint)backends[0].EndPoint);
        using var channel = BalancedChannel.Create($"ipv4:127.0.0.1:{proxy.Port}", new BalancedChannelOptions
        {
            Connection = new ConnectionOptions
            {
                KeepAlivePingDelay = TimeSpan.FromSeconds(1),
                KeepAlivePingTimeout = TimeSpan.FromSeconds(1),
            },
        });
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await channel.ConnectAsync(timeout.Token);

        var started = System.Diagnostics.Stopwatch.StartNew();
        proxy.Freeze();
        await channel.WaitForStateChangedAsync(ConnectivityState.Ready, timeout.Token);
        Assert.NotEqual(ConnectivityState.Ready, channel.State);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(8), $"a frozen server should be noticed within a few seconds, took {started.Elapsed}");
    }

    private static BalancedChannelOptions OneFrozenOfTwo(string? retry)
        => new()
        {
            ServiceConfig = """{"loadBalancingConfig":[{"round_robin":{}}]""" + (retry is null ? "" : "," + retry) + "}",
            Connection = new ConnectionOptions
            {
                KeepAlivePingDelay = TimeSpan.FromSeconds(1),
                KeepAlivePingTimeout = TimeSpan.FromSeconds(1),
            },
        };

    [Fact]
    public async Task CallsOnAFrozenBackendFailWithUnavailableNamingTheKeepAliveNeverInternal()
    {
        await using var backends = await BackendSet.StartAsync(2);
        await using var proxy = new FreezableProxy((System.Net.IPEndPoint)backends[1].EndPoint);
        using var channel = BalancedChannel.Create($"ipv4:{backends[0].Address},127.0.0.1:{proxy.Port}", OneFrozenOfTwo(retry: null));
        var client = new Echo.EchoClient(channel);
        await channel.ConnectAsync();

        var load = CallLoad.Start(client, callers: 6);
        await load.WaitForMoreCallsAsync(200, "calls before the freeze");
        proxy.Freeze();
        await Eventually.TrueAsync(() => load.Failed > 0, "calls stuck on the frozen backend to fail", TimeSpan.FromSeconds(15));
        await load.WaitForMoreCallsAsync(200, "calls after the frozen backend was dropped");
        await load.StopAsync();

        // Without a retry policy the calls that were on the frozen backend fail, as transport failures.
        Assert.All(load.Failures, f =>
        {
            Assert.Equal(StatusCode.Unavailable, f.Error.StatusCode);
            Assert.Contains("no reply to a keepalive ping within 1s", f.Error.Status.Detail, StringComparison.Ordinal);
        });
        Assert.True(load.Failed <= 6, $"only calls in flight on the frozen backend fail:\n{load.Errors}");
    }

    [Fact]
    public async Task WithARetryPolicyAFrozenBackendCostsNoCall()
    {
        await using var backends = await BackendSet.StartAsync(2);
        await using var proxy = new FreezableProxy((System.Net.IPEndPoint)backends[1].EndPoint);
        using var channel = BalancedChannel.Create($"ipv4:{backends[0].Address},127.0.0.1:{proxy.Port}", OneFrozenOfTwo(
            """
            "methodConfig":[{"name":[{}],"retryPolicy":{"maxAttempts":3,"initialBackoff":"0.01s","maxBackoff":"0.1s","backoffMultiplier":2,"retryableStatusCodes":["UNAVAILABLE"]}}]
            """));
        var client = new Echo.EchoClient(channel);
        await channel.ConnectAsync();

        var load = CallLoad.Start(client, callers: 6);
        await load.WaitForMoreCallsAsync(200, "calls before the freeze");
        var servedBefore = backends[0].State.Calls;
        proxy.Freeze();
        await Eventually.TrueAsync(() => channel.GetDiagnostics().Subchannels.All(s => s.Address == backends[0].Address || s.State != ConnectivityState.Ready), "the frozen backend to leave READY", TimeSpan.FromSeconds(15));
        await load.WaitForMoreCallsAsync(200, "calls after the freeze");
        await load.StopAsync();

        Assert.True(load.Failed == 0, $"{load.Failed} of {load.Completed} calls failed:\n{load.Errors}");
        Assert.True(backends[0].State.Calls - servedBefore >= 200, "the healthy backend took the calls");
    }
}
