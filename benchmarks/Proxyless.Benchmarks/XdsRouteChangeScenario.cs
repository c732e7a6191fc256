using System.Diagnostics;
using System.Net;
using Grpc.Core;
using Grpc.Examples.Echo;
using Proxyless.Examples;
using Proxyless.Resolution;
using Proxyless.Xds;
using Proxyless.Xds.ControlPlane;
using static Proxyless.Xds.ControlPlane.XdsResources;

namespace Proxyless.Benchmarks;

/// <summary>
/// Issue 15's route-change goal: under load (many callers on an <c>xds:///</c> channel), the control plane flips the
/// route between two clusters, each one backend; for every flip, the time from the push until every call started
/// from then on goes to the new cluster. Prints the median, p99 and max over the flips, and the failed calls.
/// </summary>
internal static class XdsRouteChangeScenario
{
    public static async Task<int> RunAsync(int flips, int callers)
    {
        await using var a = await EchoBackend.StartLoopbackAsync();
        await using var b = await EchoBackend.StartLoopbackAsync();
        await using var plane = await XdsControlPlane.StartAsync();
        plane.SetSnapshot([
            Listener("greeter", "routes"),
            Routes("routes", ("a", 1)),
            EdsCluster("a"), EdsCluster("b"),
            Endpoints("a", ("z", 1, 0, [(IPEndPoint)a.EndPoint])),
            Endpoints("b", ("z", 1, 0, [(IPEndPoint)b.EndPoint])),
        ]);
        using var channel = BalancedChannel.Create("xds:///greeter", new BalancedChannelOptions { Resolvers = ResolverRegistry.CreateDefault().AddXds(Bootstrap(plane.ServerUri)) });
        var client = new Echo.EchoClient(channel);
        await client.UnaryEchoAsync(new EchoRequest { Message = "warm-up" });

        // Every call: when it started and which backend served it.
        var clock = Stopwatch.StartNew();
        var calls = new List<(double Started, bool ToB)>[callers];
        var failed = 0;
        using var stop = new CancellationTokenSource();
        var load = Enumerable.Range(0, callers).Select(i => Task.Run(async () =>
        {
            var mine = calls[i] = new List<(double, bool)>(100_000);
            while (!stop.IsCancellationRequested)
            {
                var started = clock.Elapsed.TotalMilliseconds;
                try
                {
                    var reply = await client.UnaryEchoAsync(new EchoRequest { Message = "x" });
                    mine.Add((started, reply.Message.EndsWith($"(from {b.Address})", StringComparison.Ordinal)));
                }
                catch (RpcException)
                {
                    Interlocked.Increment(ref failed);
                }
            }
        })).ToArray();

        Console.WriteLine($"{Environment.ProcessorCount} cores; {callers} callers on xds:///greeter; {flips} route flips between cluster a ({a.Address}) and b ({b.Address}), 300 ms apart");
        var pushes = new List<(double At, bool ToB)>();
        await Task.Delay(300);
        for (var flip = 1; flip <= flips; flip++)
        {
            var toB = flip % 2 == 1;
            pushes.Add((clock.Elapsed.TotalMilliseconds, toB));
            plane.SetResource(Routes("routes", (toB ? "b" : "a", 1)));
            await Task.Delay(300);
        }

        await stop.CancelAsync();
        await Task.WhenAll(load);

        // For each flip: the start time of the last call (started after the push, before the next) that still went to
        // the old cluster; the route took effect right after it.
        var all = calls.SelectMany(c => c).OrderBy(c => c.Started).ToArray();
        var effects = new List<double>();
        for (var i = 0; i < pushes.Count; i++)
        {
            var (at, toB) = pushes[i];
            var until = i + 1 < pushes.Count ? pushes[i + 1].At : double.MaxValue;
            var window = all.Where(c => c.Started >= at && c.Started < until).ToArray();
            var lastOld = window.LastOrDefault(c => c.ToB != toB);
            effects.Add(lastOld == default ? 0 : lastOld.Started - at);
        }

        effects.Sort();
        double Percentile(double p) => effects[Math.Min(effects.Count - 1, (int)Math.Ceiling(p * effects.Count) - 1)];
        Console.WriteLine($"calls: {all.Length} completed, {failed} failed");
        Console.WriteLine($"time from push to effect (ms): median {Percentile(0.5):0.0}, p99 {Percentile(0.99):0.0}, max {effects[^1]:0.0}");
        return failed == 0 ? 0 : 1;
    }
}
