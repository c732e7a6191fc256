using System.Net;
using System.Net.Sockets;
using Grpc.Examples.Echo;
using Proxyless.Diagnostics;
using Proxyless.Tests.Support;

namespace Proxyless.Tests.Functional;

/// <summary>
/// gRFC A94's subchannel metrics on real connections, as a listener of <see cref="ProxylessMeters.Experimental"/> sees
/// them: one successful attempt and one open connection per backend, a failed attempt per refused connect, and one
/// disconnection with A94's reason when a connected backend goes away. Measurements are filtered by this test's
/// target, so tests running at the same time do not count.
/// </summary>
public sealed class SubchannelMetricsTests : IDisposable
{
    private readonly MetricRecorder _metrics = new(ProxylessMeters.Experimental);

    public void Dispose() => _metrics.Dispose();

    private long Sum(string name, string target, string? error = null)
        => (long)_metrics.Of(name, target).Where(m => error is null || Equals(m.Tags.GetValueOrDefault("grpc.disconnect_error"), error)).Sum(m => m.Value);

    [Fact]
    public async Task AttemptsConnectionsAndADisconnectionAreCountedWithA94sNamesAndLabels()
    {
        var backends = await BackendSet.StartAsync(2);
        var target = backends.Target;
        using var channel = BalancedChannel.Create(target, new BalancedChannelOptions { ServiceConfig = """{"loadBalancingConfig":[{"round_robin":{}}]}""" });
        await channel.ConnectAsync();
        await Eventually.ReadyAsync(channel, 2, "both READY");
        await new Echo.EchoClient(channel).UnaryEchoAsync(new EchoRequest { Message = "m" }, deadline: DateTime.UtcNow.AddSeconds(10));

        Assert.Equal(2, Sum("grpc.subchannel.connection_attempts_succeeded", target));
        Assert.Equal(2, Sum("grpc.subchannel.open_connections", target));
        Assert.All(_metrics.Of("grpc.subchannel.open_connections", target), m => Assert.Equal("none", m.Tags["grpc.security_level"])); // plaintext
        Assert.Equal(0, Sum("grpc.subchannel.disconnections", target));

        await backends[1].DisposeAsync(); // a graceful stop: GOAWAY, then close
        await Eventually.TrueAsync(() => Sum("grpc.subchannel.disconnections", target) == 1, "one disconnection");
        Assert.Equal(1, Sum("grpc.subchannel.disconnections", target, "GOAWAY NO_ERROR"));
        await Eventually.TrueAsync(() => Sum("grpc.subchannel.open_connections", target) == 1, "one connection left open");
        await backends.DisposeAsync();
    }

    [Fact]
    public async Task ARefusedConnectIsAFailedAttempt()
    {
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        var target = $"ipv4:127.0.0.1:{port}";
        using var channel = BalancedChannel.Create(target);
        var ex = await Assert.ThrowsAsync<RpcException>(() => new Echo.EchoClient(channel).UnaryEchoAsync(new EchoRequest(), deadline: DateTime.UtcNow.AddSeconds(10)).ResponseAsync);
        Assert.Equal(StatusCode.Unavailable, ex.StatusCode);
        Assert.True(Sum("grpc.subchannel.connection_attempts_failed", target) >= 1);
        Assert.Equal(0, Sum("grpc.subchannel.connection_attempts_succeeded", target));
    }
}
