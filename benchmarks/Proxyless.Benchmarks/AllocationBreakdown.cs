using System.Globalization;
using Grpc.Examples.Echo;

namespace Proxyless.Benchmarks;

/// <summary>
/// Sequential unary calls through Proxyless round_robin without and with a metrics listener, allocations sampled by
/// type: where the listener's extra bytes per call go.
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
        // Time first: the same channel, sequential, listener off and on alternately.
        var ratios = new List<double>();
        for (var round = 0; round < 10; round++)
        {
            var rates = new double[2];
            foreach (var listen in round % 2 == 0 ? new[] { false, true } : new[] { true, false })
            {
                using var listener = listen ? MetricsListener.Start() : null;
                var watch = System.Diagnostics.Stopwatch.StartNew();
                for (var i = 0; i < 5000; i++)
                {
                    await client.UnaryEchoAsync(new EchoRequest { Message = "bench" });
                }

                rates[listen ? 1 : 0] = 5000 / watch.Elapsed.TotalSeconds;
            }

            ratios.Add(rates[1] / rates[0]);
        }

        ratios.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"sequential calls/s, listener on / off: median {ratios[ratios.Count / 2]:0.000}x (min {ratios[0]:0.000}, max {ratios[^1]:0.000})"));

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
            foreach (var (type, bytes) in byType.Take(25))
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {bytes / (double)calls,7:0.0}  {type}"));
            }
        }

        return 0;
    }
}
