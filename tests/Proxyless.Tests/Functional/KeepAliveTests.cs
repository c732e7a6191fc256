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
}
