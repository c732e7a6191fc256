using System.Diagnostics;
using System.Globalization;
using Grpc.Examples.Echo;
using Proxyless.Examples;

namespace Proxyless.Benchmarks;

/// <summary>
/// Three backends, one answering 10x slower (and reporting 90% utilization in its ORCA trailers against 20% for the
/// others). The same concurrent load runs through round_robin, least_request, weighted_round_robin and p2c_ewma (and
/// its peak preset), plus round_robin over the two fast backends only (the floor), interleaved over several rounds in
/// one run; prints the medians of p50/p99 latency, calls/s and the slow backend's share, with min and max. Then a
/// backend turns slow in the middle of a p2c_ewma run and recovers: how soon its share falls below 5% and comes back.
/// </summary>
internal static class SlowBackendScenario
{
    private sealed record Variant(string Name, Echo.EchoClient Client, BalancedChannel Channel);

    private sealed record Sample(double P50, double P99, double Rate, double SlowShare);

    public static async Task<int> RunAsync(int calls, int callers, TimeSpan fastDelay, int rounds)
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
        Console.WriteLine($"{calls} unary calls from {callers} concurrent callers per policy and round, {rounds} rounds interleaved; medians (min, max)");
        var all = "ipv4:" + string.Join(",", backends.Select(b => b.Address));
        var fastOnly = "ipv4:" + string.Join(",", backends.Take(2).Select(b => b.Address));
        var variants = new[]
        {
            ("round_robin, fast backends only (floor)", fastOnly, """{"round_robin":{}}"""),
            ("round_robin", all, """{"round_robin":{}}"""),
            ("least_request", all, """{"least_request":{}}"""),
            ("weighted_round_robin (ORCA)", all, """{"weighted_round_robin":{"blackoutPeriod":"1s","weightUpdatePeriod":"0.2s"}}"""),
            ("p2c_ewma", all, """{"p2c_ewma":{}}"""),
            ("p2c_ewma (peak preset)", all, """{"p2c_ewma":{"peak":true}}"""),
        }.Select(v =>
        {
            var channel = BalancedChannel.Create(v.Item2, new BalancedChannelOptions { ServiceConfig = $"{{\"loadBalancingConfig\":[{v.Item3}]}}" });
            return new Variant(v.Item1, new Echo.EchoClient(channel), channel);
        }).ToArray();

        // Warm up each for longer than weighted_round_robin's blackout period, so ORCA weights are in force.
        foreach (var variant in variants)
        {
            await LoadAsync(variant.Client, callers, calls: null, TimeSpan.FromSeconds(2));
        }

        var samples = variants.ToDictionary(v => v.Name, _ => new List<Sample>());
        for (var round = 0; round < rounds; round++)
        {
            for (var k = 0; k < variants.Length; k++)
            {
                var variant = variants[(k + round) % variants.Length]; // rotate: no policy always runs first
                var before = backends[2].State.Calls;
                var (latencies, elapsed) = await LoadAsync(variant.Client, callers, calls, duration: null);
                Array.Sort(latencies);
                samples[variant.Name].Add(new Sample(latencies[calls / 2], latencies[(int)(calls * 0.99)], calls / elapsed.TotalSeconds, 100.0 * (backends[2].State.Calls - before) / calls));
            }
        }

        Console.WriteLine();
        Console.WriteLine("| policy | p50 ms | p99 ms | calls/s | share of the slow backend |");
        Console.WriteLine("|---|---:|---:|---:|---:|");
        foreach (var variant in variants)
        {
            var s = samples[variant.Name];
            Console.WriteLine($"| {variant.Name} | {Stats(s, x => x.P50, "0.0")} | {Stats(s, x => x.P99, "0.0")} | {Stats(s, x => x.Rate, "0")} | {Stats(s, x => x.SlowShare, "0.0")}% |");
        }

        var p2c = samples["p2c_ewma"];
        var floorP99 = Median(samples["round_robin, fast backends only (floor)"], x => x.P99);
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"p2c_ewma: slow share {Median(p2c, x => x.SlowShare):0.00}% (goal <= 1%), p99 {Median(p2c, x => x.P99):0.0} ms = {Median(p2c, x => x.P99) / floorP99:0.00}x the floor's (goal < 20 ms and <= 1.5x), calls/s {Median(p2c, x => x.Rate) / Median(samples["weighted_round_robin (ORCA)"], x => x.Rate):0.00}x weighted_round_robin's (goal >= 1)"));

        foreach (var variant in variants)
        {
            variant.Channel.Dispose();
        }

        await TurnsSlowMidRunAsync(backends, callers, fastDelay, slowDelay);
        foreach (var backend in backends)
        {
            await backend.DisposeAsync();
        }

        return 0;
    }

    // All three fast; at 2 s the third turns slow, at 6 s it recovers; its share per 250 ms window under p2c_ewma.
    private static async Task TurnsSlowMidRunAsync(List<EchoBackend> backends, int callers, TimeSpan fastDelay, TimeSpan slowDelay)
    {
        foreach (var backend in backends)
        {
            backend.State.Options.UnaryDelay = fastDelay;
        }

        using var channel = BalancedChannel.Create("ipv4:" + string.Join(",", backends.Select(b => b.Address)), new BalancedChannelOptions
        {
            ServiceConfig = """{"loadBalancingConfig":[{"p2c_ewma":{}}]}""",
        });
        var client = new Echo.EchoClient(channel);
        await LoadAsync(client, callers, calls: null, TimeSpan.FromSeconds(1));
        var window = TimeSpan.FromMilliseconds(250);
        var shares = new List<(double At, double Share)>();
        var run = LoadAsync(client, callers, calls: null, TimeSpan.FromSeconds(10));
        var clock = Stopwatch.StartNew();
        var (calls, third) = (backends.Sum(b => b.State.Calls), backends[2].State.Calls);
        while (!run.IsCompleted)
        {
            await Task.Delay(window);
            var at = clock.Elapsed.TotalSeconds;
            if (at >= 2 && backends[2].State.Options.UnaryDelay == fastDelay && at < 6)
            {
                backends[2].State.Options.UnaryDelay = slowDelay;
                shares.Add((at, double.NaN)); // marks the change
            }
            else if (at >= 6 && backends[2].State.Options.UnaryDelay == slowDelay)
            {
                backends[2].State.Options.UnaryDelay = fastDelay;
                shares.Add((at, double.NaN));
            }

            var (nowCalls, nowThird) = (backends.Sum(b => b.State.Calls), backends[2].State.Calls);
            shares.Add((at, nowCalls == calls ? 0 : 100.0 * (nowThird - third) / (nowCalls - calls)));
            (calls, third) = (nowCalls, nowThird);
        }

        await run;
        var slowAt = shares.First(s => double.IsNaN(s.Share)).At;
        var recoverAt = shares.Last(s => double.IsNaN(s.Share)).At;
        var measured = shares.Where(s => !double.IsNaN(s.Share)).ToList();
        var dropped = measured.FirstOrDefault(s => s.At > slowAt && s.Share < 5 && measured.Where(m => m.At >= s.At && m.At < recoverAt).All(m => m.Share < 5));
        var back = measured.FirstOrDefault(s => s.At > recoverAt && s.Share >= 20);
        Console.WriteLine();
        Console.WriteLine($"A backend turns slow mid-run (p2c_ewma, {fastDelay.TotalMilliseconds} ms -> {slowDelay.TotalMilliseconds} ms at {slowAt:0.00} s, back at {recoverAt:0.00} s); its share per {window.TotalMilliseconds} ms window:");
        Console.WriteLine(string.Join(" ", measured.Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.At:0.0}s:{s.Share:0}%"))));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"below 5% for good {(dropped == default ? "never" : $"{dropped.At - slowAt:0.00} s")} after it turned slow (goal <= 2 s); back to 20% or more {(back == default ? "never" : $"{back.At - recoverAt:0.00} s")} after it recovered"));
    }

    // Calls from `callers` concurrent callers until `calls` are made or `duration` is over; each call's latency.
    private static async Task<(double[] Latencies, TimeSpan Elapsed)> LoadAsync(Echo.EchoClient client, int callers, int? calls, TimeSpan? duration)
    {
        var latencies = new double[calls ?? 0];
        var next = -1;
        var until = duration is { } d ? DateTime.UtcNow + d : DateTime.MaxValue;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, callers).Select(async _ =>
        {
            while (DateTime.UtcNow < until)
            {
                var index = Interlocked.Increment(ref next);
                if (calls is { } n && index >= n)
                {
                    return;
                }

                var start = Stopwatch.GetTimestamp();
                await client.UnaryEchoAsync(new EchoRequest { Message = "load" });
                if (calls is not null)
                {
                    latencies[index] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                }
            }
        }));
        return (latencies, clock.Elapsed);
    }

    private static double Median<T>(List<T> samples, Func<T, double> selector) => samples.Select(selector).Order().ElementAt(samples.Count / 2);

    private static string Stats<T>(List<T> samples, Func<T, double> selector, string format)
    {
        var sorted = samples.Select(selector).Order().ToArray();
        return string.Create(CultureInfo.InvariantCulture, $"{sorted[sorted.Length / 2].ToString(format, CultureInfo.InvariantCulture)} ({sorted[0].ToString(format, CultureInfo.InvariantCulture)}, {sorted[^1].ToString(format, CultureInfo.InvariantCulture)})");
    }
}
