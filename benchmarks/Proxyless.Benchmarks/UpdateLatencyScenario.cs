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
/// subchannel) and the first call, then churn updates of each given size (endpoints replaced) pushed every half second
/// while the storm goes on: each from the resolver's push to the policy having applied it (its picker published), the
/// serializer's own time applying it, and that time less the garbage-collection pauses during it; then the serializer's
/// busy time per second. Bounded: a fixed number of updates, then it stops.
/// </summary>
internal static class UpdateLatencyScenario
{
    public static async Task<int> RunAsync(int endpoints, IReadOnlyList<int> churnSizes, int updates)
    {
        await using var live = await EchoBackend.StartLoopbackAsync();
        var resolver = new PushResolverProvider();
        using var channel = BalancedChannel.Create("push:///scale", new BalancedChannelOptions
        {
            Resolvers = ResolverRegistry.CreateDefault().Register(resolver),
            ServiceConfig = """{"loadBalancingConfig":[{"round_robin":{}}]}""",
        });
        var controller = channel.Controller;
        var applied = new System.Collections.Concurrent.BlockingCollection<(ResolverUpdateTiming Timing, TimeSpan Cpu)>();
        var cpuAtStart = TimeSpan.Zero; // written and read on the serializer's thread of the update
        controller.ResolverResultApplying = () => cpuAtStart = ThreadCpuClock.Now();
        controller.ResolverResultApplied = (_, timing) => applied.Add((timing, ThreadCpuClock.Now() - cpuAtStart));
        Console.WriteLine($"{Environment.ProcessorCount} cores, .NET {Environment.Version}; {endpoints} endpoints (1 live), round_robin; churn updates of {string.Join(", ", churnSizes)} endpoints, {updates} of each, every 500 ms");

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
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"first update ({endpoints} endpoints, all subchannels created): applied in {firstApplied.Timing.SinceDelivered.TotalMilliseconds:0.0} ms ({firstApplied.Cpu.TotalMilliseconds:0.0} ms of CPU)"));

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

        var storm = Stopwatch.StartNew();
        var busyAtStorm = controller.Serializer.BusyTime;
        var allocatedAtStorm = GC.GetTotalAllocatedBytes();
        int[] collectionsAtStorm = [GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2)];
        var pausedAtStorm = GC.GetTotalPauseDuration();
        var random = new Random(7);
        Console.WriteLine();
        Console.WriteLine("| churn per update | updates | push to applied: median (max) | serializer time: median (max) | the same less GC pauses: median (max) | its CPU time: median (max) | CPU per replaced endpoint |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var churn in churnSizes)
        {
            var timings = new List<(ResolverUpdateTiming Timing, TimeSpan Cpu)>();
            for (var u = 0; u < updates; u++)
            {
                await Task.Delay(500);
                for (var i = 0; i < churn; i++)
                {
                    list[1 + random.Next(list.Count - 1)] = Dead(); // never the live one
                }

                resolver.Push(ResolverResult.ForEndpoints(list.ToArray()));
                timings.Add(applied.Take());
            }

            var latency = Spread(timings.Select(t => t.Timing.SinceDelivered));
            var applying = Spread(timings.Select(t => t.Timing.Applying));
            var working = Spread(timings.Select(t => t.Timing.Applying - t.Timing.GcPausedWhileApplying));
            var cpu = Spread(timings.Select(t => t.Cpu));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {churn} ({churn * 100.0 / endpoints:0.#}%) | {updates} | {latency.Median:0.0} ms ({latency.Max:0.0}) | {applying.Median:0.0} ms ({applying.Max:0.0}) | {working.Median:0.0} ms ({working.Max:0.0}) | {cpu.Median:0.0} ms ({cpu.Max:0.0}) | {cpu.Median * 1000 / churn:0.0} µs |"));
        }

        Console.WriteLine();
        var busy = controller.Serializer.BusyTime - busyAtStorm;
        var allocatedPerSecond = (GC.GetTotalAllocatedBytes() - allocatedAtStorm) / storm.Elapsed.TotalSeconds;
        var gcCounts = $"{GC.CollectionCount(0) - collectionsAtStorm[0]}/{GC.CollectionCount(1) - collectionsAtStorm[1]}/{GC.CollectionCount(2) - collectionsAtStorm[2]}";
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"during the storm ({storm.Elapsed.TotalSeconds:0} s): {allocatedPerSecond / 1e6:0.0} MB allocated per second, garbage collections gen0/1/2 {gcCounts}, paused {(GC.GetTotalPauseDuration() - pausedAtStorm).TotalMilliseconds:0} ms, heap {GC.GetGCMemoryInfo().HeapSizeBytes / 1e6:0} MB"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"serializer busy {busy.TotalMilliseconds / storm.Elapsed.TotalSeconds:0} ms per second during the storm ({controller.Serializer.ActionsRun} actions in all; {controller.Serializer.BusyTime - busyBefore:g} busy since the first push)"));
        return 0;
    }

    private static (double Median, double Max) Spread(IEnumerable<TimeSpan> values)
    {
        var sorted = values.Select(v => v.TotalMilliseconds).Order().ToArray();
        return (sorted[sorted.Length / 2], sorted[^1]);
    }
}
