using System.Diagnostics;
using System.Globalization;
using Grpc.Examples.Echo;
using Proxyless.Examples;

namespace Proxyless.Benchmarks;

/// <summary>
/// Three backends, one answering 10x slower (and, for weighted_round_robin, reporting 90% utilization in its ORCA
/// trailers against 20% for the others). The same concurrent load runs with round_robin, least_request,
/// weighted_round_robin and p2c_ewma (default and peak preset) in one process run; prints p50/p99 latency and each backend's share.
/// </summary>
internal static class SlowBackendScenario
{
    public static async Task<int> RunAsync(int calls, int callers, TimeSpan fastDelay)
    {
        var slowDelay = fastDelay * 10;
        var backends = new List<EchoBackend>();
        for (var i = 0; i < 3; i++)
        {
            var slow = i == 2;
            backends.Add(await EchoBackend.StartLoopbackAsync(o =>
            {
                o.UnaryDelay = slow ? slowDelay : fastDelay;
                o.OrcaCpuUtilization = slow ? 0.9 : 0.2;
            }));
        }

        Console.WriteLine($"{Environment.ProcessorCount} cores; backends {string.Join(", ", backends.Select(b => b.Address))}; the last answers in {slowDelay.TotalMilliseconds} ms, the others in {fastDelay.TotalMilliseconds} ms");
        Console.WriteLine($"{calls} unary calls from {callers} concurrent callers per policy");
        Console.WriteLine();
        Console.WriteLine("| policy | p50 ms | p99 ms | calls/s | share fast 1 | share fast 2 | share slow |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var (policy, config) in new[]
        {
            ("round_robin", """{"round_robin":{}}"""),
            ("least_request", """{"least_request":{}}"""),
            ("weighted_round_robin (ORCA)", """{"weighted_round_robin":{"blackoutPeriod":"1s","weightUpdatePeriod":"0.2s"}}"""),
            ("p2c_ewma", """{"p2c_ewma":{}}"""),
            ("p2c_ewma (peak preset)", """{"p2c_ewma":{"peak":true}}"""),
        })
        {
            using var channel = BalancedChannel.Create("ipv4:" + string.Join(",", backends.Select(b => b.Address)), new BalancedChannelOptions
            {
                ServiceConfig = $"{{\"loadBalancingConfig\":[{config}]}}",
            });
            var client = new Echo.EchoClient(channel);

            // Warm up for longer than the blackout period so ORCA weights are in force.
            var warmUntil = DateTime.UtcNow.AddSeconds(2);
            await Task.WhenAll(Enumerable.Range(0, callers).Select(async _ =>
            {
                while (DateTime.UtcNow < warmUntil)
                {
                    await client.UnaryEchoAsync(new EchoRequest { Message = "warm" });
                }
            }));

            var before = backends.Select(b => b.State.Calls).ToArray();
            var latencies = new double[calls];
            var next = -1;
            var clock = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, callers).Select(async _ =>
            {
                int index;
                while ((index = Interlocked.Increment(ref next)) < calls)
                {
                    var start = Stopwatch.GetTimestamp();
                    await client.UnaryEchoAsync(new EchoRequest { Message = "load" });
                    latencies[index] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                }
            }));
            clock.Stop();
            Array.Sort(latencies);
            var shares = backends.Select((b, i) => 100.0 * (b.State.Calls - before[i]) / calls).ToArray();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {policy} | {latencies[calls / 2]:0.0} | {latencies[(int)(calls * 0.99)]:0.0} | {calls / clock.Elapsed.TotalSeconds:0} | {shares[0]:0.0}% | {shares[1]:0.0}% | {shares[2]:0.0}% |"));
        }

        foreach (var backend in backends)
        {
            await backend.DisposeAsync();
        }

        return 0;
    }
}
