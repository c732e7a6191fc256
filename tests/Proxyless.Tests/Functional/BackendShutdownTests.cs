using Grpc.Examples.Echo;
using Proxyless.Tests.Support;

namespace Proxyless.Tests.Functional;

/// <summary>
/// Backends leaving under load with no retry policy configured: whatever provably never reached a server is picked
/// again (gRPC's transparent retry), so a graceful shutdown costs no call and a crash costs only the calls the crashed
/// server had received.
/// </summary>
public class BackendShutdownTests
{
    private const string RoundRobin = """{"loadBalancingConfig":[{"round_robin":{}}]}""";

    [Fact]
    public async Task GracefulShutdownOfTwoOfThreeBackendsUnderLoadFailsNoCallWithoutARetryPolicy()
    {
        await using var backends = await BackendSet.StartAsync(3);
        using var logging = RecordingLoggerProvider.CreateFactory(out var log);
        using var channel = BalancedChannel.Create(backends.Target, new BalancedChannelOptions { ServiceConfig = RoundRobin, LoggerFactory = logging });
        var client = new Echo.EchoClient(channel);

        // Two rounds: stop two backends together, restart them, wait until the channel uses them again.
        var load = CallLoad.Start(client, callers: 8);
        for (var round = 0; round < 2; round++)
        {
            await BalancingTests.WarmUpAsync(client, backends);
            await load.WaitForMoreCallsAsync(300, "calls before the shutdown");
            await Task.WhenAll(backends[0].StopAsync(), backends[1].StopAsync());
            await load.WaitForMoreCallsAsync(300, "calls after the shutdown");
            await backends.RestartAsync(0);
            await backends.RestartAsync(1);
        }

        await load.StopAsync();
        Assert.True(load.Failed == 0, $"{load.Failed} of {load.Completed} calls failed:\n{load.Errors}");

        // Reconnecting after each GOAWAY never put the connection trigger on a live connection.
        Assert.DoesNotContain(log.Lines, line => line.Contains("trigger was sent", StringComparison.Ordinal));
        Assert.Contains(log.Lines, line => line.Contains("lost: the server sent GOAWAY", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SigtermToTwoOfThreeServerProcessesUnderLoadFailsNoCallWithoutARetryPolicy()
    {
        using var a = await ServerProcess.StartAsync();
        using var b = await ServerProcess.StartAsync();
        using var c = await ServerProcess.StartAsync();
        using var logging = RecordingLoggerProvider.CreateFactory(out var log);
        using var channel = BalancedChannel.Create($"ipv4:{a.Address},{b.Address},{c.Address}", new BalancedChannelOptions { ServiceConfig = RoundRobin, LoggerFactory = logging });
        var client = new Echo.EchoClient(channel);
        await channel.ConnectAsync();

        var load = CallLoad.Start(client, callers: 8);
        await load.WaitForMoreCallsAsync(300, "calls before the shutdown");
        await Task.WhenAll(a.TerminateAsync(), b.TerminateAsync());
        await load.WaitForMoreCallsAsync(300, "calls after the shutdown");
        await load.StopAsync();

        Assert.True(load.Failed == 0, $"{load.Failed} of {load.Completed} calls failed:\n{load.Errors}\n" + string.Join("\n", log.Lines.Where(l => !l.Contains("GrpcCall") && !l.Contains("RetryCall"))) );
        Assert.True(c.Received.Count > 300, "the remaining server took the calls");
    }

    [Fact]
    public async Task SigkillFailsOnlyCallsTheKilledServerHadReceivedWithoutARetryPolicy()
    {
        // Replies take 20 ms, so the victim always has calls in flight when it dies.
        using var victim = await ServerProcess.StartAsync(delayMs: 20);
        using var b = await ServerProcess.StartAsync(delayMs: 20);
        using var c = await ServerProcess.StartAsync(delayMs: 20);
        using var channel = BalancedChannel.Create($"ipv4:{victim.Address},{b.Address},{c.Address}", new BalancedChannelOptions { ServiceConfig = RoundRobin });
        var client = new Echo.EchoClient(channel);
        await channel.ConnectAsync();

        var load = CallLoad.Start(client, callers: 12);
        await load.WaitForMoreCallsAsync(300, "calls before the crash");
        await victim.KillAsync();
        await load.WaitForMoreCallsAsync(300, "calls after the crash");
        await load.StopAsync();

        // Only calls written to the victim's connection before it died may fail: those it had received, and those still
        // in its socket buffer (the reset says it died with unread data). They fail with the connection's reason
        // (a reset, or a later write that failed). A call that could not connect, or that SocketsHttpHandler resent
        // after the connection died, never reached it and must have been placed on another server; which streams of
        // a dying connection count as written is proven frame by frame in ConnectionStreamTests.
        Assert.All(load.Failures, f =>
        {
            Assert.Equal(StatusCode.Unavailable, f.Error.StatusCode);
            Assert.DoesNotContain("not connected", f.Error.Status.Detail, StringComparison.Ordinal);
            Assert.DoesNotContain("refused", f.Error.Status.Detail, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("lost:", f.Error.Status.Detail, StringComparison.Ordinal); // in flight when the connection died
        });
        Assert.True(load.Failed <= 12, $"at most one call per caller was in flight on the victim, yet {load.Failed} failed:\n{load.Errors}");
    }
}
