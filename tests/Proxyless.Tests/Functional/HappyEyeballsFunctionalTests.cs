using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Grpc.Examples.Echo;
using Proxyless.Resolution;
using Proxyless.Tests.Support;
using Proxyless.Transport;

namespace Proxyless.Tests.Functional;

public class HappyEyeballsFunctionalTests
{
    [Fact]
    public async Task ASlowFirstAddressGetsCompanyAfter250MsAndTheFirstToConnectWins()
    {
        // One endpoint, two addresses of two real servers: the first address's connect is held for 5 s.
        await using var backends = await BackendSet.StartAsync(2);
        var slow = backends[0].Address;
        var attempts = new ConcurrentQueue<(string Address, TimeSpan At)>();
        var slowCancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var clock = Stopwatch.StartNew();
        var resolver = new ManualResolverProvider(ResolverResult.ForEndpoints(
            [new BackendEndpoint([new BackendAddress(backends[0].EndPoint), new BackendAddress(backends[1].EndPoint)])]));

        using var channel = BalancedChannel.Create("manual:///svc", new BalancedChannelOptions
        {
            Resolvers = ResolverRegistry.CreateDefault().Register(resolver),
            Connection = new ConnectionOptions
            {
                ConnectFunction = async (address, ct) =>
                {
                    attempts.Enqueue((address.ToString(), clock.Elapsed));
                    if (address.ToString() == slow)
                    {
                        try
                        {
                            await Task.Delay(TimeSpan.FromSeconds(5), ct);
                        }
                        catch (OperationCanceledException)
                        {
                            slowCancelled.TrySetResult();
                            throw;
                        }
                    }

                    var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                    await socket.ConnectAsync(address.EndPoint, ct);
                    return new NetworkStream(socket, ownsSocket: true);
                },
            },
        });

        var client = new Echo.EchoClient(channel);
        using var call = client.UnaryEchoAsync(new EchoRequest { Message = "he" }, deadline: DateTime.UtcNow.AddSeconds(10));
        Assert.Equal(backends[1].Address, (await call.ResponseHeadersAsync).GetPeer());
        await call;

        var list = attempts.ToArray();
        Assert.Equal(slow, list[0].Address);
        Assert.Equal(backends[1].Address, list[1].Address);
        var gap = list[1].At - list[0].At;
        Assert.InRange(gap, TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(1500));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(4), "the call must not wait for the slow address");

        // The loser's attempt is abandoned (its connect is cancelled), not left to finish.
        await slowCancelled.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task ADualStackEndpointFallsBackToIpv4AtOnceWhenIpv6IsRefused()
    {
        // The server listens on IPv4 only; the endpoint lists IPv6 first.
        await using var backends = await BackendSet.StartAsync(1);
        var port = backends[0].Port;
        var clock = Stopwatch.StartNew();
        using var channel = BalancedChannel.Create("manual:///svc", new BalancedChannelOptions
        {
            Resolvers = ResolverRegistry.CreateDefault().Register(new ManualResolverProvider(ResolverResult.ForEndpoints(
                [new BackendEndpoint([new BackendAddress(new IPEndPoint(IPAddress.IPv6Loopback, port)), new BackendAddress(backends[0].EndPoint)])]))),
        });
        using var call = new Echo.EchoClient(channel).UnaryEchoAsync(new EchoRequest { Message = "v4" }, deadline: DateTime.UtcNow.AddSeconds(10));
        Assert.Equal($"127.0.0.1:{port}", (await call.ResponseHeadersAsync).GetPeer());
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3));
    }
}
