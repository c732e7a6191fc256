using System.Diagnostics;
using System.Globalization;

namespace Proxyless.Benchmarks;

/// <summary>
/// Issue 14's four 10,000-endpoint figures in one run: a pick's cost at 3, 100 and 10,000 READY endpoints per policy
/// (a timed loop over <see cref="PickScalingBenchmarks"/>' pickers; the BenchmarkDotNet class gives the rigorous
/// figures), the memory an unconnected endpoint costs (<see cref="EndpointCostScenario"/>), and the first call and the
/// serializer time of churn updates during a connect storm (<see cref="UpdateLatencyScenario"/>).
/// </summary>
internal static class ScaleScenario
{
    private const int PicksPerBatch = 1_000_000;
    private const int Batches = 5;

    public static async Task<int> RunAsync(int endpoints, IReadOnlyList<int> churnSizes, int updates)
    {
        Console.WriteLine("## 1. First call (first in the process: a new client's cold start) and churn updates during a connect storm");
        Console.WriteLine();
        await UpdateLatencyScenario.RunAsync(endpoints, churnSizes, updates);
        Console.WriteLine();
        Console.WriteLine("## 2. Memory per endpoint");
        Console.WriteLine();
        await EndpointCostScenario.RunAsync(endpoints);
        Console.WriteLine();
        Console.WriteLine("## 3. Pick cost (ns per pick, the fastest of 5 batches of 1,000,000 picks)");
        Console.WriteLine();
        int[] sizes = [3, 100, endpoints];
        Console.WriteLine($"| policy | {string.Join(" | ", sizes.Select(n => n.ToString("N0", CultureInfo.InvariantCulture)))} | largest / smallest |");
        Console.WriteLine($"|---|{string.Concat(sizes.Select(_ => "---:|"))}---:|");
        foreach (var policy in new[] { "round_robin", "weighted_round_robin", "least_request", "p2c_ewma", "random", "ring_hash" })
        {
            var costs = sizes.Select(n => PickCost(policy, n)).ToArray();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {policy} | {string.Join(" | ", costs.Select(c => c.ToString("0.0", CultureInfo.InvariantCulture)))} | {costs[^1] / costs[0]:0.00}x |"));
        }

        return 0;
    }

    private static double PickCost(string policy, int endpoints)
    {
        var benchmark = new PickScalingBenchmarks { Policy = policy, Endpoints = endpoints };
        benchmark.Setup();
        try
        {
            var warm = Stopwatch.StartNew(); // long enough for tiered compilation to finish with the pick's code
            while (warm.ElapsedMilliseconds < 300)
            {
                for (var i = 0; i < 10_000; i++)
                {
                    benchmark.Pick();
                }
            }

            var best = double.MaxValue;
            for (var batch = 0; batch < Batches; batch++)
            {
                var start = Stopwatch.GetTimestamp();
                for (var i = 0; i < PicksPerBatch; i++)
                {
                    benchmark.Pick();
                }

                best = Math.Min(best, Stopwatch.GetElapsedTime(start).TotalNanoseconds / PicksPerBatch);
            }

            return best;
        }
        finally
        {
            benchmark.Cleanup();
        }
    }
}
