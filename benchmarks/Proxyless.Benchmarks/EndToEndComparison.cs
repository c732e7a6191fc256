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

    public static async Task<int> RunAsync(int sequentialCalls, int concurrentCalls, int concurrency, int rounds)
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

        var results = new Dictionary<(string, string), List<(double Rate, double Bytes)>>();
        for (var round = 0; round < rounds; round++)
        {
            // Rotate the order so no variant always runs first (or last) in a round.
            for (var k = 0; k < variants.Length; k++)
            {
                var variant = variants[(k + round) % variants.Length];
                using var listener = variant.Attach?.Invoke(); // only while this client runs
                Add(results, variant.Name, "sequential", await MeasureAsync(variant.Client, sequentialCalls, 1));
                Add(results, variant.Name, $"{concurrency} callers", await MeasureAsync(variant.Client, concurrentCalls, concurrency));
            }
        }

        Console.WriteLine();
        Console.WriteLine($"| client | mode | calls/s | bytes/call |");
        Console.WriteLine($"|---|---|---:|---:|");
        foreach (var ((name, mode), samples) in results)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {mode} | {Median(samples, s => s.Rate):N0} | {Median(samples, s => s.Bytes):N0} |"));
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
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{mode}: Proxyless / grpc-dotnet round_robin = {Stats(rate)} calls/s, {Stats(bytes)} bytes/call; Proxyless / direct = {Stats(vsDirect)} calls/s"));
            var m = results[(variants[3].Name, mode)];
            var meteredRate = m.Zip(o, (x, y) => x.Rate / y.Rate).ToList();
            var extraBytes = m.Zip(o, (x, y) => x.Bytes - y.Bytes).Order().ToArray();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{mode}: Proxyless with metrics listener / without = {Stats(meteredRate)} calls/s, {extraBytes[extraBytes.Length / 2]:+0;-0} bytes/call (min {extraBytes[0]:+0;-0}, max {extraBytes[^1]:+0;-0})"));
        }

        foreach (var variant in variants)
        {
            variant.Channel?.Dispose();
        }

        return 0;
    }

    private static void Add(Dictionary<(string, string), List<(double, double)>> results, string name, string mode, (double, double) sample)
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

    private static async Task<(double Rate, double Bytes)> MeasureAsync(Echo.EchoClient client, int calls, int concurrency)
    {
        var request = new EchoRequest { Message = "bench" };
        var perCaller = calls / concurrency;
        GC.Collect();
        GC.WaitForPendingFinalizers();
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
        var bytes = GC.GetTotalAllocatedBytes(precise: true) - bytesBefore;
        var total = perCaller * concurrency;
        return (total / stopwatch.Elapsed.TotalSeconds, bytes / (double)total);
    }
}
