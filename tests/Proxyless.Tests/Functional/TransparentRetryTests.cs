using System.Net;
using System.Net.Sockets;
using Grpc.Examples.Echo;
using Proxyless.Balancing;
using Proxyless.Tests.Support;

namespace Proxyless.Tests.Functional;

public class TransparentRetryTests
{
    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static BalancedChannel Channel(string target) => BalancedChannel.Create(target, new BalancedChannelOptions
    {
        LoadBalancers = LoadBalancerRegistry.CreateDefault().Register(new StalePickerPolicyProvider()),
        ServiceConfig = """{"loadBalancingConfig":[{"stale_rotation":{}}]}""", // and no retry policy
    });

    [Fact]
    public async Task ACallThatCouldNotConnectIsRetriedOnceOnAnotherBackendWithoutARetryPolicy()
    {
        await using var backends = await BackendSet.StartAsync(1);
        var dead = ClosedPort();
        using var channel = Channel($"ipv4:127.0.0.1:{dead},{backends[0].Address}");
        var client = new Echo.EchoClient(channel);
        for (var i = 0; i < 6; i++)
        {
            // Every other pick lands on the dead address first; each call still succeeds on the live one.
            var reply = await client.UnaryEchoAsync(new EchoRequest { Message = "t" }, deadline: DateTime.UtcNow.AddSeconds(10));
            Assert.Equal($"t (from {backends[0].Address})", reply.Message);
        }

        Assert.Equal(6, backends[0].State.Calls);
    }

    [Fact]
    public async Task WithEveryBackendDownAFailFastCallFailsWithTheConnectionErrorOfARealBackend()
    {
        var (first, second) = (ClosedPort(), ClosedPort());
        using var channel = BalancedChannel.Create($"ipv4:127.0.0.1:{first},127.0.0.1:{second}", new BalancedChannelOptions
        {
            ServiceConfig = """{"loadBalancingConfig":[{"round_robin":{}}]}""",
        });
        var ex = await Assert.ThrowsAsync<RpcException>(() => new Echo.EchoClient(channel).UnaryEchoAsync(new EchoRequest(), deadline: DateTime.UtcNow.AddSeconds(10)).ResponseAsync);
        Assert.Equal(StatusCode.Unavailable, ex.StatusCode);
        Assert.Contains("refused", ex.Status.Detail, StringComparison.OrdinalIgnoreCase);
        Assert.Matches(@"127\.0\.0\.1:(" + first + "|" + second + ")", ex.Status.Detail);
        Assert.DoesNotContain("localhost", ex.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task APickerOfferingOnlyDeadBackendsMakesTheCallWaitForANewPickerInsteadOfSpinning()
    {
        var (first, second) = (ClosedPort(), ClosedPort());
        var dials = 0;
        using var channel = BalancedChannel.Create($"ipv4:127.0.0.1:{first},127.0.0.1:{second}", new BalancedChannelOptions
        {
            LoadBalancers = LoadBalancerRegistry.CreateDefault().Register(new StalePickerPolicyProvider()),
            ServiceConfig = """{"loadBalancingConfig":[{"stale_rotation":{}}]}""",
            Connection = new Proxyless.Transport.ConnectionOptions
            {
                ConnectFunction = async (address, ct) =>
                {
                    Interlocked.Increment(ref dials);
                    var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
                    await socket.ConnectAsync(address.EndPoint, ct);
                    return new NetworkStream(socket, ownsSocket: true);
                },
            },
        });

        var started = System.Diagnostics.Stopwatch.StartNew();
        var ex = await Assert.ThrowsAsync<RpcException>(() => new Echo.EchoClient(channel).UnaryEchoAsync(new EchoRequest(), deadline: DateTime.UtcNow.AddSeconds(1.5)).ResponseAsync);
        Assert.Equal(StatusCode.DeadlineExceeded, ex.StatusCode);
        Assert.True(started.Elapsed >= TimeSpan.FromSeconds(1.4), $"the call waited for its deadline, not {started.Elapsed}");

        // Each backend is dialled when its subchannel connects, then again only after its backoff: a call that
        // re-picked in a loop would have dialled (or tried to send) thousands of times.
        Assert.InRange(Volatile.Read(ref dials), 2, 6);
    }
}
