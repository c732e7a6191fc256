using System.Net;
using System.Net.Sockets;
using Grpc.Examples.Echo;
using Proxyless.Tests.Support;

namespace Proxyless.Tests.Functional;

/// <summary>
/// READY means what it means in grpc-go: the HTTP/2 connection is up and the server's SETTINGS frame has arrived.
/// Connecting makes no call; no request reaches a server's application unless the user made it.
/// </summary>
public class ReadinessTests
{
    [Fact]
    public async Task ConnectingToEveryBackendSendsNoRequestToAnyServerApplication()
    {
        await using var backends = await BackendSet.StartAsync(3);
        using var channel = BalancedChannel.Create(backends.Target, new BalancedChannelOptions
        {
            ServiceConfig = """{"loadBalancingConfig":[{"round_robin":{}}]}""",
        });
        await channel.ConnectAsync();
        await Eventually.ReadyAsync(channel, 3, "every backend READY");

        Assert.All(backends.All, b =>
        {
            Assert.Equal(0, b.State.HttpRequests);
            Assert.Equal(1, b.OpenConnections);
        });

        var client = new Echo.EchoClient(channel);
        for (var i = 0; i < 3; i++)
        {
            await client.UnaryEchoAsync(new EchoRequest { Message = "hi" }, deadline: DateTime.UtcNow.AddSeconds(10));
        }

        Assert.Equal(3, backends.All.Sum(b => b.State.HttpRequests)); // exactly the calls the user made
    }

    [Fact]
    public async Task AServerThatSendsOnlyItsSettingsFrameIsReady()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var accepted = AcceptAndSendSettingsAsync(listener);
        using var channel = BalancedChannel.Create($"ipv4:127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await channel.ConnectAsync(timeout.Token);
        Assert.Equal(ConnectivityState.Ready, channel.State);
        Assert.False(listener.Pending()); // one TCP connection: the one the subchannel dialed is the one HTTP/2 runs on

        // All the client sent is its connection preface and SETTINGS: no request was needed to become READY.
        using var socket = await accepted;
        var received = new byte[4096];
        socket.ReceiveTimeout = 200;
        var count = 0;
        try
        {
            while (true)
            {
                var n = socket.Receive(received, count, received.Length - count, SocketFlags.None);
                if (n == 0)
                {
                    break;
                }

                count += n;
            }
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.TimedOut)
        {
        }

        Assert.StartsWith("PRI * HTTP/2.0", System.Text.Encoding.ASCII.GetString(received, 0, 14));
        Assert.DoesNotContain(FrameTypes(received.AsSpan(24, count - 24)), type => type == 0x1); // no HEADERS frame
    }

    [Fact]
    public async Task PickFirstStartsOnTheFirstAddressOnEveryFreshChannel()
    {
        // Before, READY waited for a round trip through the server, which on a cold process could outlast the 250 ms
        // Happy Eyeballs timer and let the second address win.
        await using var backends = await BackendSet.StartAsync(2);
        for (var i = 0; i < 10; i++)
        {
            using var channel = BalancedChannel.Create(backends.Target);
            var reply = await new Echo.EchoClient(channel).UnaryEchoAsync(new EchoRequest { Message = "hi" }, deadline: DateTime.UtcNow.AddSeconds(10));
            Assert.Equal($"hi (from {backends[0].Address})", reply.Message);
            Assert.Equal(ConnectivityState.Shutdown, channel.GetDiagnostics().Subchannels.SingleOrDefault(s => s.Address == backends[1].Address)?.State ?? ConnectivityState.Shutdown);
        }
    }

    [Fact]
    public async Task AnHttp1ServerIsReportedAsSuch()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var serve = Task.Run(async () =>
        {
            using var socket = await listener.AcceptSocketAsync();
            await socket.SendAsync("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"u8.ToArray());
            socket.Shutdown(SocketShutdown.Both);
        });
        using var channel = BalancedChannel.Create($"ipv4:127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}");
        var ex = await Assert.ThrowsAsync<RpcException>(() => new Echo.EchoClient(channel).UnaryEchoAsync(new EchoRequest(), deadline: DateTime.UtcNow.AddSeconds(10)).ResponseAsync);
        Assert.Equal(StatusCode.Unavailable, ex.StatusCode);
        Assert.Contains($"connecting to 127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port} failed: the server answered in HTTP/1.x, not HTTP/2", ex.Status.Detail, StringComparison.Ordinal);
        await serve;
    }

    private static async Task<Socket> AcceptAndSendSettingsAsync(TcpListener listener)
    {
        var socket = await listener.AcceptSocketAsync();
        await socket.SendAsync(new byte[] { 0, 0, 0, 0x4, 0, 0, 0, 0, 0 }); // an empty SETTINGS frame
        return socket;
    }

    private static List<byte> FrameTypes(ReadOnlySpan<byte> frames)
    {
        var types = new List<byte>();
        while (frames.Length >= 9)
        {
            var length = (frames[0] << 16) | (frames[1] << 8) | frames[2];
            types.Add(frames[3]);
            frames = frames[Math.Min(frames.Length, 9 + length)..];
        }

        return types;
    }
}
