using Grpc.Examples.Echo;
using Proxyless.Tests.Support;

namespace Proxyless.Tests.Functional;

public class BalancingTests
{
    private const string RoundRobin = """{"loadBalancingConfig":[{"round_robin":{}}]}""";

    private static async Task<string> CallAsync(Echo.EchoClient client, CallOptions? options = null)
    {
        var reply = await client.UnaryEchoAsync(new EchoRequest { Message = "hi" }, options ?? new CallOptions(deadline: DateTime.UtcNow.AddSeconds(10)));
        return reply.Message;
    }

    [Fact]
    public async Task PickFirstSendsEveryCallToTheFirstAddress()
    {
        await using var backends = await BackendSet.StartAsync(3);
        using var channel = BalancedChannel.Create(backends.Target);
        var client = new Echo.EchoClient(channel);
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal($"hi (from {backends[0].Address})", await CallAsync(client));
        }

        Assert.Equal(20, backends[0].State.Calls);
        Assert.Equal(0, backends[1].State.Calls + backends[2].State.Calls);
    }

    [Fact]
    public async Task PickFirstMovesOnWhenTheFirstAddressIsDown()
    {
        await using var backends = await BackendSet.StartAsync(2);
        var target = backends.Target;
        await backends[0].StopAsync();
        using var channel = BalancedChannel.Create(target);
        Assert.Equal($"hi (from {backends[1].Address})", await CallAsync(new Echo.EchoClient(channel)));
    }

    [Fact]
    public async Task RoundRobinSpreadsCallsEvenly()
    {
        await using var backends = await BackendSet.StartAsync(3);
        using var channel = BalancedChannel.Create(backends.Target, new BalancedChannelOptions { ServiceConfig = RoundRobin });
        var client = new Echo.EchoClient(channel);
        await WarmUpAsync(client, backends);

        var before = backends.All.Select(b => b.State.Calls).ToArray();
        for (var i = 0; i < 300; i++)
        {
            await CallAsync(client);
        }

        Assert.All(Enumerable.Range(0, 3), i => Assert.Equal(100, backends[i].State.Calls - before[i]));
    }

    [Fact]
    public async Task UnaryAndAllStreamingKindsWorkThroughTheBalancer()
    {
        await using var backends = await BackendSet.StartAsync(2);
        using var channel = BalancedChannel.Create(backends.Target, new BalancedChannelOptions { ServiceConfig = RoundRobin });
        var client = new Echo.EchoClient(channel);
        var deadline = DateTime.UtcNow.AddSeconds(20);

        Assert.StartsWith("unary (from 127.0.0.1:", (await client.UnaryEchoAsync(new EchoRequest { Message = "unary" }, deadline: deadline)).Message);

        using (var call = client.ServerStreamingEcho(new EchoRequest { Message = "server" }, deadline: deadline))
        {
            var replies = new List<string>();
            await foreach (var reply in call.ResponseStream.ReadAllAsync())
            {
                replies.Add(reply.Message);
            }

            Assert.Equal(3, replies.Count);
            Assert.All(replies, r => Assert.StartsWith("server (from", r));
        }

        using (var call = client.ClientStreamingEcho(deadline: deadline))
        {
            foreach (var m in new[] { "a", "b", "c" })
            {
                await call.RequestStream.WriteAsync(new EchoRequest { Message = m });
            }

            await call.RequestStream.CompleteAsync();
            Assert.StartsWith("a,b,c (from", (await call).Message);
        }

        using (var call = client.BidirectionalStreamingEcho(deadline: deadline))
        {
            for (var i = 0; i < 5; i++)
            {
                await call.RequestStream.WriteAsync(new EchoRequest { Message = $"m{i}" });
                Assert.True(await call.ResponseStream.MoveNext());
                Assert.StartsWith($"m{i} (from", call.ResponseStream.Current.Message);
            }

            await call.RequestStream.CompleteAsync();
            Assert.False(await call.ResponseStream.MoveNext());
        }
    }

    [Fact]
    public async Task TheCallerCanSeeWhichAddressServedTheCall()
    {
        await using var backends = await BackendSet.StartAsync(2);
        using var channel = BalancedChannel.Create(backends.Target, new BalancedChannelOptions { ServiceConfig = RoundRobin });
        var client = new Echo.EchoClient(channel);
        var peers = new HashSet<string>();
        for (var i = 0; i < 10; i++)
        {
            using var call = client.UnaryEchoAsync(new EchoRequest { Message = "who" }, deadline: DateTime.UtcNow.AddSeconds(10));
            var peer = (await call.ResponseHeadersAsync).GetPeer();
            var reply = await call;
            Assert.NotNull(peer);
            Assert.Equal($"who (from {peer})", reply.Message);
            peers.Add(peer!);
        }

        Assert.Equal(backends.All.Select(b => b.Address).Order(), peers.Order());
    }

    [Fact]
    public async Task AuthorityIsTheLogicalServiceName()
    {
        var hosts = new System.Collections.Concurrent.ConcurrentQueue<string>();
        await using var backends = await BackendSet.StartAsync(2, (_, o) => o.OnCall = ctx => hosts.Enqueue(ctx.Host));
        using (var channel = BalancedChannel.Create(backends.Target, new BalancedChannelOptions { ServiceConfig = RoundRobin }))
        {
            var client = new Echo.EchoClient(channel);
            await CallAsync(client);
            await CallAsync(client);
        }

        using (var channel = BalancedChannel.Create(backends.Target, new BalancedChannelOptions { ServiceConfig = RoundRobin, Authority = "echo.internal:8443" }))
        {
            await CallAsync(new Echo.EchoClient(channel));
        }

        Assert.Equal(["localhost", "localhost", "echo.internal:8443"], hosts.ToArray());
    }

    [Fact]
    public async Task DnsTargetResolvesLocalhost()
    {
        await using var backends = await BackendSet.StartAsync(1);
        using var channel = BalancedChannel.Create($"dns:///localhost:{backends[0].Port}");
        Assert.Equal($"hi (from {backends[0].Address})", await CallAsync(new Echo.EchoClient(channel)));
        Assert.Equal($"localhost:{backends[0].Port}", channel.Authority);

        using var bare = BalancedChannel.Create($"localhost:{backends[0].Port}");
        Assert.Equal($"hi (from {backends[0].Address})", await CallAsync(new Echo.EchoClient(bare)));
    }

    [Fact]
    public async Task UnixSocketTargetWorks()
    {
        var path = Path.Combine(Path.GetTempPath(), $"proxyless-{Guid.NewGuid():N}.sock");
        await using var backend = await Examples.EchoBackend.StartAsync(new System.Net.Sockets.UnixDomainSocketEndPoint(path));
        try
        {
            using var channel = BalancedChannel.Create($"unix:{path}");
            var client = new Echo.EchoClient(channel);
            using var call = client.UnaryEchoAsync(new EchoRequest { Message = "unix" }, deadline: DateTime.UtcNow.AddSeconds(10));
            Assert.Equal($"unix:{path}", (await call.ResponseHeadersAsync).GetPeer());
            Assert.StartsWith("unix (from unix:", (await call).Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task ServiceConfigTimeoutIsApplied()
    {
        await using var backends = await BackendSet.StartAsync(1, (_, o) => o.UnaryDelay = TimeSpan.FromSeconds(10));
        using var channel = BalancedChannel.Create(backends.Target, new BalancedChannelOptions
        {
            ServiceConfig = """{"methodConfig":[{"name":[{"service":"grpc.examples.echo.Echo"}],"timeout":"0.3s"}]}""",
        });
        var client = new Echo.EchoClient(channel);
        var started = System.Diagnostics.Stopwatch.StartNew();
        var ex = await Assert.ThrowsAsync<RpcException>(() => client.UnaryEchoAsync(new EchoRequest { Message = "slow" }).ResponseAsync);
        Assert.Equal(StatusCode.DeadlineExceeded, ex.StatusCode);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(8), $"the 0.3 s timeout should end the call long before the 10 s reply ({started.Elapsed})");
    }

    [Fact]
    public async Task AMethodTimeoutBeyondTheLastRepresentableDateMeansNoDeadline()
    {
        await using var backends = await BackendSet.StartAsync(1);
        using var channel = BalancedChannel.Create(backends.Target, new BalancedChannelOptions
        {
            ServiceConfig = """{"methodConfig":[{"name":[{}],"timeout":"300000000000s"}]}""",
        });
        var reply = await new Echo.EchoClient(channel).UnaryEchoAsync(new EchoRequest { Message = "forever" });
        Assert.Equal($"forever (from {backends[0].Address})", reply.Message);
    }

    [Fact]
    public async Task TheLoadBalancingExampleReproducesGrpcGoOutput()
    {
        var servers = await LoadBalancing.Server.LoadBalancingServers.StartAsync([0, 0]);
        try
        {
            var output = new StringWriter();
            var addresses = servers.Select(s => new Resolution.BackendAddress(s.EndPoint)).ToArray();
            await LoadBalancing.Client.LoadBalancingClient.RunAsync(output, addresses);
            var lines = output.ToString().Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
            var first = $"this is examples/load_balancing (from :{servers[0].Port})";
            var second = $"this is examples/load_balancing (from :{servers[1].Port})";

            Assert.Equal("--- calling grpc.examples.echo.Echo/UnaryEcho with pick_first ---", lines[0]);
            Assert.All(lines[1..11], l => Assert.Equal(first, l));
            Assert.Equal("", lines[11]);
            Assert.Equal("--- calling grpc.examples.echo.Echo/UnaryEcho with round_robin ---", lines[12]);
            var rr = lines[13..23];
            Assert.All(rr, l => Assert.True(l == first || l == second, l));
            Assert.Contains(first, rr);
            Assert.Contains(second, rr);

            // Once both connections are READY, round_robin strictly alternates (earlier repeats are the
            // "not ready yet" case grpc-go's README describes).
            var bothReady = Math.Max(Array.IndexOf(rr, first), Array.IndexOf(rr, second));
            for (var i = bothReady + 1; i < rr.Length; i++)
            {
                Assert.NotEqual(rr[i - 1], rr[i]);
            }
        }
        finally
        {
            await Examples.ExampleServers.StopAllAsync(servers);
        }
    }

    internal static async Task WarmUpAsync(Echo.EchoClient client, BackendSet backends)
    {
        // Until every backend has answered once, round_robin may still be connecting to some of them.
        await Eventually.TrueAsync(
            async () =>
            {
                await CallAsync(client);
                return backends.All.All(b => b.State.Calls > 0);
            },
            "every backend to receive a call");
    }
}
