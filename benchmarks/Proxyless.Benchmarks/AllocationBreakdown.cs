using System.Globalization;
using Grpc.Examples.Echo;

namespace Proxyless.Benchmarks;

/// <summary>
/// Unary calls through one Proxyless round_robin channel without and with a metrics listener, alternating: the
/// throughput ratio (sequential and 32 callers, 10 rounds each), then allocations sampled by type over sequential
/// calls: where the listener's extra bytes per call go.
/// </summary>
internal static class AllocationBreakdown
{
    public static async Task<int> RunAsync(int calls = 30_000)
    {
        using var servers = await BackendProcess.StartAsync(3);
        using var channel = BalancedChannel.Create("ipv4:" + string.Join(",", servers.Ports.Select(p => $"127.0.0.1:{p}")), new BalancedChannelOptions
        {
            ServiceConfig = """{"loadBalancingConfig":[{"round_robin":{}}]}""",
        });
        var client = new Echo.EchoClient(channel);
        using var sampler = new AllocationSampler();
        // Time first: the same channel, listener off and on alternately, sequential and with 32 callers.
        foreach (var callers in new[] { 1, 32 })
        {
            var ratios = new List<double>();
            for (var round = 0; round < 10; round++)
            {
                var rates = new double[2];
                foreach (var listen in round % 2 == 0 ? new[] { false, true } : new[] { true, false })
                {
                    using var listener = listen ? MetricsListener.Start() : null;
                    var perCaller = (callers == 1 ? 5000 : 20_000) / callers;
                    var watch = System.Diagnostics.Stopwatch.StartNew();
                    await Task.WhenAll(Enumerable.Range(0, callers).Select(async _ =>
                    {
                        for (var i = 0; i < perCaller; i++)
                        {
                            await client.UnaryEchoAsync(new EchoRequest { Message = "bench" });
                        }
                    }));
                    rates[listen ? 1 : 0] = perCaller * callers / watch.Elapsed.TotalSeconds;
                }

                ratios.Add(rates[1] / rates[0]);
            }

            ratios.Sort();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{callers} caller(s), calls/s with listener / without: median {ratios[ratios.Count / 2]:0.000}x (min {ratios[0]:0.000}, max {ratios[^1]:0.000})"));
        }

        foreach (var listen in new[] { false, true, false, true })
        {
            using var listener = listen ? MetricsListener.Start() : null;
            for (var i = 0; i < 2000; i++)
            {
                await client.UnaryEchoAsync(new EchoRequest { Message = "bench" });
            }

            sampler.Start();
            var before = GC.GetTotalAllocatedBytes(precise: true);
            for (var i = 0; i < calls; i++)
            {
                await client.UnaryEchoAsync(new EchoRequest { Message = "bench" });
            }

            var perCall = (GC.GetTotalAllocatedBytes(precise: true) - before) / (double)calls;
            var byType = sampler.Stop();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"listener {(listen ? "on" : "off")}: {perCall:0} bytes/call; sampled by type (bytes/call):"));
            foreach (var (type, bytes) in byType.Take(40))
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {bytes / (double)calls,7:0.0}  {type}"));
            }
        }

        return 0;
    }
}
