using Grpc.Examples.Echo;
using Proxyless;
using Proxyless.Examples;
using Proxyless.Resolution;

namespace Weighted;

/// <summary>
/// weighted_round_robin two ways: static 3:1 weights from endpoint attributes (as a registry's <c>weight</c>), then
/// weights from ORCA load reports, which shift traffic away from the busier backend and back when the load flips.
/// </summary>
public static class WeightedExample
{
    /// <summary>Runs the three phases.</summary>
    /// <param name="output">Where shares are printed.</param>
    /// <param name="calls">Calls per phase.</param>
    /// <returns>The first backend's share in each phase (static, ORCA, flipped).</returns>
    public static async Task<double[]> RunAsync(TextWriter output, int calls = 400)
    {
        var shares = new List<double>();

        // 1. Static weights, no load reports.
        await using (var a = await EchoBackend.StartLoopbackAsync())
        await using (var b = await EchoBackend.StartLoopbackAsync())
        {
            var endpoints = new[] { (a, 3), (b, 1) }
                .Select(x => new BackendEndpoint(new BackendAddress(x.Item1.EndPoint), Attributes.Empty.With(EndpointAttributes.Weight, x.Item2)))
                .ToArray();
            using var channel = BalancedChannel.Create("static:///weighted", new BalancedChannelOptions
            {
                Resolvers = ResolverRegistry.CreateDefault().Register(new FixedEndpointsResolverProvider("static", endpoints)),
                ServiceConfig = """{"loadBalancingConfig":[{"weighted_round_robin":{}}]}""",
            });
            await output.WriteLineAsync("--- weighted_round_robin, static weights 3:1 (no load reports) ---");
            shares.Add(await MeasureAsync(output, channel, [a, b], ["weight 3", "weight 1"], calls));
        }

        // 2. and 3. Weights from ORCA load reports.
        await using (var a = await EchoBackend.StartLoopbackAsync(o => (o.OrcaCpuUtilization, o.OrcaQps) = (0.8, 100)))
        await using (var b = await EchoBackend.StartLoopbackAsync(o => (o.OrcaCpuUtilization, o.OrcaQps) = (0.2, 100)))
        {
            using var channel = BalancedChannel.Create($"ipv4:{a.Address},{b.Address}", new BalancedChannelOptions
            {
                ServiceConfig = """{"loadBalancingConfig":[{"weighted_round_robin":{"blackoutPeriod":"1s","weightUpdatePeriod":"0.2s"}}]}""",
            });
            await output.WriteLineAsync();
            await output.WriteLineAsync("--- weighted_round_robin with ORCA: A reports 80% CPU, B 20% (weights 100/0.8 and 100/0.2) ---");
            await WarmUpAsync(channel);
            shares.Add(await MeasureAsync(output, channel, [a, b], ["80% CPU", "20% CPU"], calls));

            a.Orca!.SetCpuUtilization(0.2);
            b.Orca!.SetCpuUtilization(0.8);
            await output.WriteLineAsync();
            await output.WriteLineAsync("--- the load flips: A reports 20% CPU, B 80% ---");
            await WarmUpAsync(channel);
            shares.Add(await MeasureAsync(output, channel, [a, b], ["20% CPU", "80% CPU"], calls));
        }

        return [.. shares];
    }

    // New reports count after the weight update period and blackout; keep calling until then.
    private static async Task WarmUpAsync(BalancedChannel channel)
    {
        var client = new Echo.EchoClient(channel);
        var until = DateTime.UtcNow.AddSeconds(1.5);
        while (DateTime.UtcNow < until)
        {
            await client.UnaryEchoAsync(new EchoRequest { Message = "warm up" });
        }
    }

    private static async Task<double> MeasureAsync(TextWriter output, BalancedChannel channel, EchoBackend[] backends, string[] notes, int calls)
    {
        var client = new Echo.EchoClient(channel);
        var before = backends.Select(b => b.State.Calls).ToArray();
        for (var i = 0; i < calls; i++)
        {
            await client.UnaryEchoAsync(new EchoRequest { Message = "weighted" });
        }

        var counts = backends.Select((b, i) => b.State.Calls - before[i]).ToArray();
        for (var i = 0; i < backends.Length; i++)
        {
            await output.WriteLineAsync($"{(char)('A' + i)} {backends[i].Address} ({notes[i]}): {counts[i]} calls ({100.0 * counts[i] / calls:0.0}%)");
        }

        return (double)counts[0] / calls;
    }
}
