using System.Diagnostics;
using System.Globalization;
using Grpc.Examples.Echo;
using Grpc.Net.Client;

namespace Proxyless.Benchmarks;

/// <summary>
/// One client making sequential unary calls for a fixed time, for a profiler to attach to (the e2e run's clients one at
/// a time): <c>direct</c> (a single-address GrpcChannel), <c>grpc</c> (grpc-dotnet's round_robin) or <c>proxyless</c>
/// (Proxyless round_robin). Prints its PID first, then the calls per second of each second.
/// </summary>
internal static class ProfileTarget
{
    public static async Task<int> RunAsync(string client, int seconds)
    {
        using var servers = await BackendProcess.StartAsync(3);
        Grpc.Core.ChannelBase channel = client switch
        {
            "direct" => GrpcChannel.ForAddress($"http://127.0.0.1:{servers.Ports[0]}"),
            "grpc" => BuiltInBalancer.CreateRoundRobinChannel(servers.Ports),
            "proxyless" => BalancedChannel.Create("ipv4:" + string.Join(",", servers.Ports.Select(p => $"127.0.0.1:{p}")), new BalancedChannelOptions
            {
                ServiceConfig = """{"loadBalancingConfig":[{"round_robin":{}}]}""",
            }),
            _ => throw new ArgumentException($"--profile-target: unknown client '{client}' (direct, grpc or proxyless)"),
        };
        using var owned = (IDisposable)channel;
        var echo = new Echo.EchoClient(channel);
        Console.WriteLine($"PID {Environment.ProcessId}: {client}, sequential calls for {seconds} s");
        var request = new EchoRequest { Message = "bench" };
        var total = Stopwatch.StartNew();
        while (total.Elapsed.TotalSeconds < seconds)
        {
            var second = Stopwatch.StartNew();
            var calls = 0;
            var workItems = ThreadPool.CompletedWorkItemCount;
            var contentions = Monitor.LockContentionCount;
            var gcs = GC.CollectionCount(0);
            while (second.ElapsedMilliseconds < 1000)
            {
                await echo.UnaryEchoAsync(request);
                calls++;
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{calls / second.Elapsed.TotalSeconds:0} calls/s, {(ThreadPool.CompletedWorkItemCount - workItems) / (double)calls:0.00} thread-pool work items and {(Monitor.LockContentionCount - contentions) / (double)calls:0.000} lock contentions per call, {(GC.CollectionCount(0) - gcs) * 1000.0 / calls:0.00} gen0 GCs per 1000 calls"));
        }

        return 0;
    }
}
