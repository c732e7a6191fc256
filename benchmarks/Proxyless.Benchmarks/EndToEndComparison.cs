using System.Diagnostics;
using System.Globalization;
using Grpc.Examples.Echo;
using Grpc.Net.Client;

namespace Proxyless.Benchmarks;

/// <summary>
/// Unary calls over loopback to backends in a separate process, measured in one run for four clients: a direct
/// single-address GrpcChannel, grpc-dotnet's built-in round_robin, Proxyless round_robin, and the same Proxyless
/// channel while a listener records every Proxyless instrument. Prints calls per second, client bytes allocated per call, the
/// ratios of Proxyless to grpc-dotnet round_robin, and what the metrics listener costs.
/// </summary>
internal static class EndToEndComparison
{
    private sealed record Variant(string Name, Echo.EchoClient Client, IDisposable? Channel, Func<IDisposable>? Attach = null);

    public static async Task<int> RunAsync(int sequentialCalls, int concurrentCalls, int concurrency, int rounds, int turns)
    {
        using var servers = await BackendProcess.StartAsync(3);
        Console.WriteLine($"backends (separate process): {string.Join(", ", servers.Ports.Select(p => $"127.0.0.1:{p}"))}");
        Console.WriteLine($"{Environment.ProcessorCount} cores, .NET {Environment.Version}, {sequentialCalls} sequential calls and {concurrentCalls} calls from {concurrency} callers per round, {rounds} rounds; medians shown");

        var direct = GrpcChannel.ForAddress($"http://127.0.0.1:{servers.Ports[0]}");
        var builtIn = BuiltInBalancer.CreateRoundRobinChannel(servers.Ports);
        var ours = BalancedChannel.Create("ipv4:" + string.Join(",", servers.Ports.Select(p => $"127.0.0.1:{p}")), new BalancedChannelOptions
        {
            ServiceConfig = """{"loadBalancingConfig":[{"round_robin":{}}]}""",
        });
        Variant[] variants =
        [
            new("direct GrpcChannel (1 backend)", new Echo.EchoClient(direct), direct),
            new("grpc-dotnet round_robin", new Echo.EchoClient(builtIn), builtIn),
            new("Proxyless round_robin", new Echo.EchoClient(ours), ours),
            // The same channel as above (same connections), with a listener attached while this variant runs.
            new("Proxyless round_robin, metrics listener", new Echo.EchoClient(ours), Channel: null, MetricsListener.Start),
        ];

        foreach (var variant in variants)
        {
            using var listener = variant.Attach?.Invoke();
            await MeasureAsync(variant.Client, 2000, 1);
            await MeasureAsync(variant.Client, 4000, concurrency);
        }

        // Each round runs every client in turns (--turns, ten by default), each turn an equal share of the round's calls,
        // in a new order every turn, so a slow spell of this shared machine falls on all of them rather than on
        // whichever ran then.
        var shuffle = new Random(14);
        var results = new Dictionary<(string, string), List<(double Rate, double Bytes, double Cpu)>>();
        for (var round = 0; round < rounds; round++)
        {
            foreach (var (mode, calls, callers) in new[] { ("sequential", sequentialCalls, 1), ($"{concurrency} callers", concurrentCalls, concurrency) })
            {
                var elapsed = new TimeSpan[variants.Length];
                var cpu = new TimeSpan[variants.Length];
                var bytes = new double[variants.Length];
                GC.Collect();
                GC.WaitForPendingFinalizers();
                for (var turn = 0; turn < turns; turn++)
                {
                    // A fresh order every turn (seeded, so runs repeat): no client always runs right after another.
                    var order = Enumerable.Range(0, variants.Length).ToArray();
                    shuffle.Shuffle(order);
                    foreach (var v in order)
                    {
                        using var listener = variants[v].Attach?.Invoke(); // only while this client runs
                        var (time, allocated, used) = await MeasureAsync(variants[v].Client, calls / turns, callers);
                        elapsed[v] += time;
                        cpu[v] += used;
                        bytes[v] += allocated;
                    }
                }

                for (var v = 0; v < variants.Length; v++)
                {
                    var made = calls / turns / callers * callers * turns;
                    Add(results, variants[v].Name, mode, (made / elapsed[v].TotalSeconds, bytes[v] / made, cpu[v].TotalMicroseconds / made));
                }
            }
        }

        Console.WriteLine();
        Console.WriteLine($"| client | mode | calls/s | bytes/call | client CPU µs/call |");
        Console.WriteLine($"|---|---|---:|---:|---:|");
        foreach (var ((name, mode), samples) in results)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {mode} | {Median(samples, s => s.Rate):N0} | {Median(samples, s => s.Bytes):N0} | {Median(samples, s => s.Cpu):0.0} |"));
        }

        Console.WriteLine();
        foreach (var mode in new[] { "sequential", $"{concurrency} callers" })
        {
            // Ratios per round (the clients ran back to back within each round), then their median, min and max.
            var o = results[(variants[2].Name, mode)];
            var b = results[(variants[1].Name, mode)];
            var d = results[(variants[0].Name, mode)];
            var rate = o.Zip(b, (x, y) => x.Rate / y.Rate).ToList();
            var bytes = o.Zip(b, (x, y) => x.Bytes / y.Bytes).ToList();
            var vsDirect = o.Zip(d, (x, y) => x.Rate / y.Rate).ToList();
            var cpuVsBuiltIn = o.Zip(b, (x, y) => x.Cpu / y.Cpu).ToList();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{mode}: Proxyless / grpc-dotnet round_robin = {Stats(rate)} calls/s, {Stats(bytes)} bytes/call, {Stats(cpuVsBuiltIn)} client CPU/call; Proxyless / direct = {Stats(vsDirect)} calls/s"));
            var m = results[(variants[3].Name, mode)];
            var meteredRate = m.Zip(o, (x, y) => x.Rate / y.Rate).ToList();
            var extraBytes = m.Zip(o, (x, y) => x.Bytes - y.Bytes).Order().ToArray();
            var cpuRatio = m.Zip(o, (x, y) => x.Cpu / y.Cpu).ToList();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{mode}: Proxyless with metrics listener / without = {Stats(meteredRate)} calls/s, {extraBytes[extraBytes.Length / 2]:+0;-0} bytes/call (min {extraBytes[0]:+0;-0}, max {extraBytes[^1]:+0;-0}), {Stats(cpuRatio)} client CPU/call"));
        }

        foreach (var variant in variants)
        {
            variant.Channel?.Dispose();
        }

        return 0;
    }

    private static void Add(Dictionary<(string, string), List<(double, double, double)>> results, string name, string mode, (double, double, double) sample)
    {
        if (!results.TryGetValue((name, mode), out var list))
        {
            results[(name, mode)] = list = [];
        }

        list.Add(sample);
    }

    private static string Stats(List<double> ratios)
    {
        var sorted = ratios.Order().ToArray();
        return string.Create(CultureInfo.InvariantCulture, $"{sorted[sorted.Length / 2]:0.00}x (min {sorted[0]:0.00}, max {sorted[^1]:0.00})");
    }

    private static double Median<T>(List<T> samples, Func<T, double> selector)
    {
        var sorted = samples.Select(selector).Order().ToArray();
        return sorted[sorted.Length / 2];
    }

    private static async Task<(TimeSpan Elapsed, long Bytes, TimeSpan Cpu)> MeasureAsync(Echo.EchoClient client, int calls, int concurrency)
    {
        var request = new EchoRequest { Message = "bench" };
        var perCaller = calls / concurrency;
        var cpuBefore = Environment.CpuUsage.TotalTime; // this process's: the backends run in another
        var bytesBefore = GC.GetTotalAllocatedBytes(precise: true);
        var stopwatch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            for (var i = 0; i < perCaller; i++)
            {
                await client.UnaryEchoAsync(request);
            }
        }));
        stopwatch.Stop();
        return (stopwatch.Elapsed, GC.GetTotalAllocatedBytes(precise: true) - bytesBefore, Environment.CpuUsage.TotalTime - cpuBefore);
    }
}
