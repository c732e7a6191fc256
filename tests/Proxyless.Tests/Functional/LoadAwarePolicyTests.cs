using Grpc.Examples.Echo;
using Proxyless.Tests.Support;

namespace Proxyless.Tests.Functional;

public class LoadAwarePolicyTests
{
    private static async Task<int[]> CallsAsync(Echo.EchoClient client, BackendSet backends, int calls)
    {
        var before = backends.All.Select(b => b.State.Calls).ToArray();
        for (var i = 0; i < calls; i++)
        {
            await client.UnaryEchoAsync(new EchoRequest { Message = "w" }, deadline: DateTime.UtcNow.AddSeconds(10));
        }

        return backends.All.Select((b, i) => b.State.Calls - before[i]).ToArray();
    }

    [Fact]
    public async Task OrcaReportsShiftTrafficAwayFromABusyBackendAndBack()
    {
        await using var backends = await BackendSet.StartAsync(2, (i, o) =>
        {
            o.OrcaCpuUtilization = i == 0 ? 0.9 : 0.1;
            o.OrcaQps = 100;
        });
        using var channel = BalancedChannel.Create(backends.Target, new BalancedChannelOptions
        {
            ServiceConfig = """{"loadBalancingConfig":[{"weighted_round_robin":{"blackoutPeriod":"0s","weightUpdatePeriod":"0.1s"}}]}""",
        });
        var client = new Echo.EchoClient(channel);
        await BalancingTests.WarmUpAsync(client, backends);

        // Weights 100/0.9 and 100/0.1: the busy backend should get about 10%.
        await Eventually.TrueAsync(async () => (await CallsAsync(client, backends, 40))[0] <= 8, "traffic to move away from the 90%-busy backend");

        backends[0].Orca!.SetCpuUtilization(0.1);
        backends[1].Orca!.SetCpuUtilization(0.9);
        await Eventually.TrueAsync(async () => (await CallsAsync(client, backends, 40))[0] >= 32, "traffic to follow the new load reports");
    }

    [Fact]
    public async Task StaticWeightsFromEndpointAttributesSplitThreeToOne()
    {
        await using var backends = await BackendSet.StartAsync(2);
        var endpoints = backends.All.Select((b, i) => new Resolution.BackendEndpoint(
            new Resolution.BackendAddress(b.EndPoint),
            Resolution.Attributes.Empty.With(Resolution.EndpointAttributes.Weight, i == 0 ? 3 : 1))).ToArray();
        using var channel = BalancedChannel.Create("manual:///w", new BalancedChannelOptions
        {
            Resolvers = Resolution.ResolverRegistry.CreateDefault().Register(new ManualResolverProvider(Resolution.ResolverResult.ForEndpoints(endpoints))),
            ServiceConfig = """{"loadBalancingConfig":[{"weighted_round_robin":{}}]}""",
        });
        var client = new Echo.EchoClient(channel);
        await BalancingTests.WarmUpAsync(client, backends);
        var spread = await CallsAsync(client, backends, 400);
        Assert.InRange(spread[0], 280, 320);
    }

    [Fact]
    public async Task LeastRequestSendsLessToASlowBackend()
    {
        await using var backends = await BackendSet.StartAsync(2, (i, o) => o.UnaryDelay = i == 0 ? TimeSpan.FromMilliseconds(300) : TimeSpan.Zero);
        using var channel = BalancedChannel.Create(backends.Target, new BalancedChannelOptions { ServiceConfig = """{"loadBalancingConfig":[{"least_request":{}}]}""" });
        var client = new Echo.EchoClient(channel);
        await BalancingTests.WarmUpAsync(client, backends);
        var before = backends.All.Select(b => b.State.Calls).ToArray();
        await Task.WhenAll(Enumerable.Range(0, 16).Select(async _ =>
        {
            for (var i = 0; i < 10; i++)
            {
                await client.UnaryEchoAsync(new EchoRequest { Message = "lr" }, deadline: DateTime.UtcNow.AddSeconds(20));
            }
        }));
        var slow = backends[0].State.Calls - before[0];
        var fast = backends[1].State.Calls - before[1];
        Assert.True(fast >= 1.5 * slow, $"fast {fast}, slow {slow} (round_robin would split evenly)");
    }

    [Fact]
    public async Task LeastRequestCountsAStreamUntilItEnds()
    {
        await using var backends = await BackendSet.StartAsync(2);
        using var channel = BalancedChannel.Create(backends.Target, new BalancedChannelOptions { ServiceConfig = """{"loadBalancingConfig":[{"least_request":{}}]}""" });
        var client = new Echo.EchoClient(channel);
        await BalancingTests.WarmUpAsync(client, backends);

        using var stream = client.BidirectionalStreamingEcho();
        await stream.RequestStream.WriteAsync(new EchoRequest { Message = "open" });
        Assert.True(await stream.ResponseStream.MoveNext()); // the first response has arrived; the stream is still open
        var streamBackend = (await stream.ResponseHeadersAsync).GetPeer();
        var busy = backends.All.ToList().FindIndex(b => b.Address == streamBackend);

        // One call in flight there: with two choices it is picked only when drawn twice (about 25%).
        var withStream = await CallsAsync(client, backends, 300);
        Assert.True(withStream[busy] < 0.37 * 300, $"the backend with an open stream got {withStream[busy]} of 300");

        await stream.RequestStream.CompleteAsync();
        Assert.False(await stream.ResponseStream.MoveNext());
        var afterStream = await CallsAsync(client, backends, 300);
        Assert.InRange(afterStream[busy], 0.38 * 300, 0.62 * 300);
    }
}
