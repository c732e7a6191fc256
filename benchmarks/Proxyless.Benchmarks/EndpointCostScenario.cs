using System.Globalization;
using System.Net;
using Proxyless.Examples;
using Proxyless.Resolution;

namespace Proxyless.Benchmarks;

/// <summary>
/// What an endpoint costs a channel in retained memory: N endpoints (the first live, the rest loopback addresses where
/// nothing listens) under pick_first (which creates subchannels only as it tries addresses), round_robin (a subchannel
/// per endpoint: all but one refused and waiting in backoff, so unconnected) and random_subsetting (subsetSize 10,
/// round_robin child: subchannels for the subset only). Heap measured after a full collection, before the channel
/// and once the policy has applied the list and the channel is READY.
/// </summary>
internal static class EndpointCostScenario
{
    public static async Task<int> RunAsync(int endpoints)
    {
        await using var live = await EchoBackend.StartLoopbackAsync();
        var list = new List<BackendEndpoint> { new(new BackendAddress(live.EndPoint)) };
        for (var n = 0; list.Count < endpoints; n++)
        {
            list.Add(new BackendEndpoint(new BackendAddress(new IPEndPoint(new IPAddress([127, 1, (byte)(n / 250), (byte)((n % 250) + 1)]), 9))));
        }

        Console.WriteLine($"{Environment.ProcessorCount} cores, .NET {Environment.Version}; {endpoints} endpoints (the first live)");
        foreach (var (name, config) in new[]
        {
            ("pick_first (connects one address at a time)", """{"pick_first":{}}"""),
            ("round_robin (a subchannel per endpoint; all but one refused, in backoff)", """{"round_robin":{}}"""),
            ("random_subsetting, subsetSize 10, round_robin child", """{"random_subsetting":{"subsetSize":10,"childPolicy":[{"round_robin":{}}]}}"""),
        })
        {
            await Task.Delay(1000); // the previous channel's timers and connections wind down first
            var before = GC.GetTotalMemory(forceFullCollection: true);
            var resolver = new PushResolverProvider();
            using var channel = BalancedChannel.Create("push:///cost", new BalancedChannelOptions
            {
                Resolvers = ResolverRegistry.CreateDefault().Register(resolver),
                ServiceConfig = $"{{\"loadBalancingConfig\":[{config}]}}",
            });
            var applied = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            channel.Controller.ResolverResultApplied = (_, _) => applied.TrySetResult();
            _ = channel.ConnectAsync();
            resolver.Push(ResolverResult.ForEndpoints(list.ToArray()));
            await applied.Task.WaitAsync(TimeSpan.FromSeconds(30));
            await Task.Delay(500); // let the first connections settle
            var after = GC.GetTotalMemory(forceFullCollection: true);
            var subchannels = channel.GetDiagnostics().Subchannels.Count;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name}: {subchannels} subchannels, {(after - before) / 1024.0 / 1024.0:0.0} MiB retained, {(after - before) / (double)endpoints:0} bytes per endpoint, {(subchannels == 0 ? 0 : (after - before) / (double)subchannels):0} per subchannel"));
            GC.KeepAlive(channel);
        }

        return 0;
    }
}
