using System.Diagnostics;
using System.Globalization;
using System.Net;
using Grpc.Examples.Echo;
using Proxyless.Examples;
using Proxyless.Resolution;

namespace Proxyless.Benchmarks;

/// <summary>
/// How fast a resolver update reaches the picker when a channel has thousands of endpoints and is in the middle of a
/// connect storm. One live backend plus N-1 loopback addresses where nothing listens (every attempt is refused at once,
/// then retried under backoff), round_robin over all. Measured: the first update (the channel creates every
/// subchannel), then churn updates (1% of the endpoints replaced) pushed every half second while the storm goes on,
/// each from the resolver's push to the policy having applied it (its picker published), and the serializer's busy
/// time per second. Bounded: a fixed number of updates, then it stops.
/// </summary>
internal static class UpdateLatencyScenario
{
    public static async Task<int> RunAsync(int endpoints, int churn, int updates)
    {
        await using var live = await EchoBackend.StartLoopbackAsync();
        var resolver = new PushResolverProvider();
        using var channel = BalancedChannel.Create("push:///scale", new BalancedChannelOptions
        {
            Resolvers = ResolverRegistry.CreateDefault().Register(resolver),
            ServiceConfig = """{"loadBalancingConfig":[{"round_robin":{}}]}""",
        });
        var controller = channel.Controller;
        var applied = new System.Collections.Concurrent.BlockingCollection<TimeSpan>();
        controller.ResolverResultApplied = (_, elapsed) => applied.Add(elapsed);
        Console.WriteLine($"{Environment.ProcessorCount} cores, .NET {Environment.Version}; {endpoints} endpoints (1 live), round_robin, {churn}-endpoint churn updates every 500 ms");

        var next = 0;
        BackendEndpoint Dead() // 127.1.x.y: loopback, nobody listens, connect is refused at once
        {
            var n = next++;
            return new BackendEndpoint(new BackendAddress(new IPEndPoint(new IPAddress([127, 1, (byte)(n / 250), (byte)((n % 250) + 1)]), 9)));
        }

        var list = new List<BackendEndpoint> { new(new BackendAddress(live.EndPoint)) };
        while (list.Count < endpoints)
        {
            list.Add(Dead());
        }

        _ = channel.ConnectAsync(); // starts resolution; the resolver waits for the first push
        var busyBefore = controller.Serializer.BusyTime;
        var first = Stopwatch.StartNew();
        resolver.Push(ResolverResult.ForEndpoints(list.ToArray()));
        var firstApplied = applied.Take();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"first update ({endpoints} endpoints, all subchannels created): applied in {firstApplied.TotalMilliseconds:0.0} ms"));

        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20)))
        {
            while (channel.State != Grpc.Core.ConnectivityState.Ready)
            {
                await channel.WaitForStateChangedAsync(channel.State, timeout.Token);
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"channel READY {first.Elapsed.TotalMilliseconds:0} ms after the first push"));
            var reply = await new Echo.EchoClient(channel).UnaryEchoAsync(new EchoRequest { Message = "x" }, new Grpc.Core.CallOptions(cancellationToken: timeout.Token).WithWaitForReady());
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"first call answered {first.Elapsed.TotalMilliseconds:0} ms after the first push ({reply.Message})"));
        }

        var latencies = new List<double>();
        var withoutGc = new List<double>(); // updates during which no garbage collection paused the process
        var random = new Random(7);
        var storm = Stopwatch.StartNew();
        var busyAtStorm = controller.Serializer.BusyTime;
        var allocatedAtStorm = GC.GetTotalAllocatedBytes();
        int[] collectionsAtStorm = [GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2)];
        for (var u = 0; u < updates; u++)
        {
            await Task.Delay(500);
            for (var i = 0; i < churn; i++)
            {
                list[1 + random.Next(list.Count - 1)] = Dead(); // never the live one
            }

            var collections = GC.CollectionCount(0);
            resolver.Push(ResolverResult.ForEndpoints(list.ToArray()));
            latencies.Add(applied.Take().TotalMilliseconds);
            if (GC.CollectionCount(0) == collections)
            {
                withoutGc.Add(latencies[^1]);
            }
        }

        var busy = controller.Serializer.BusyTime - busyAtStorm;
        var allocatedPerSecond = (GC.GetTotalAllocatedBytes() - allocatedAtStorm) / storm.Elapsed.TotalSeconds;
        var gcCounts = $"{GC.CollectionCount(0) - collectionsAtStorm[0]}/{GC.CollectionCount(1) - collectionsAtStorm[1]}/{GC.CollectionCount(2) - collectionsAtStorm[2]}";
        latencies.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{updates} churn updates during the connect storm: applied in median {latencies[latencies.Count / 2]:0.0} ms, min {latencies[0]:0.0} ms, max {latencies[^1]:0.0} ms"));
        withoutGc.Sort();
        if (withoutGc.Count > 0)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {withoutGc.Count} of them with no garbage collection during the update: median {withoutGc[withoutGc.Count / 2]:0.0} ms, max {withoutGc[^1]:0.0} ms; GC pauses in all {GC.GetTotalPauseDuration().TotalMilliseconds:0} ms"));
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"during the storm: {allocatedPerSecond / 1e6:0.0} MB allocated per second, garbage collections gen0/1/2 {gcCounts}, heap {GC.GetGCMemoryInfo().HeapSizeBytes / 1e6:0} MB"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"serializer busy {busy.TotalMilliseconds / storm.Elapsed.TotalSeconds:0} ms per second during the storm ({controller.Serializer.ActionsRun} actions in all; {controller.Serializer.BusyTime - busyBefore:g} busy since the first push)"));
        return 0;
    }
}
