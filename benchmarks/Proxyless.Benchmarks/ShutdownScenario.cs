using System.Globalization;
using Grpc.Core;
using Grpc.Examples.Echo;

namespace Proxyless.Benchmarks;

/// <summary>
/// Backends leaving under load, Proxyless and grpc-dotnet's round_robin side by side in the same run, neither with a
/// retry policy. Each round starts three echo servers, each in its own process; both clients call them at the same
/// time (8 callers each, about 600 calls/s per client); after a second two of the servers are stopped together, with
/// SIGTERM (a graceful shutdown) or SIGKILL (a crash); calls go on for 1.5 s more. Counted: calls and failed calls per
/// client. Bounded: a fixed number of rounds per mode.
/// </summary>
internal static class ShutdownScenario
{
    public static async Task<int> RunAsync(int rounds)
    {
        Console.WriteLine($"{Environment.ProcessorCount} cores, .NET {Environment.Version}; {rounds} rounds per mode, 3 server processes, 2 stopped per round, no retry policy");
        Console.WriteLine();
        Console.WriteLine("| mode | round | Proxyless failed / calls | grpc-dotnet round_robin failed / calls |");
        Console.WriteLine("|---|---:|---:|---:|");
        foreach (var mode in new[] { "SIGTERM", "SIGKILL" })
        {
            long oursFailed = 0, oursCalls = 0, theirsFailed = 0, theirsCalls = 0;
            string? ourFirstError = null, theirFirstError = null;
            for (var round = 1; round <= rounds; round++)
            {
                var servers = new List<BackendProcess>();
                for (var i = 0; i < 3; i++)
                {
                    servers.Add(await BackendProcess.StartSignalAwareAsync());
                }

                var ports = servers.Select(s => s.Ports[0]).ToArray();
                using var ours = BalancedChannel.Create("ipv4:" + string.Join(",", ports.Select(p => $"127.0.0.1:{p}")), new BalancedChannelOptions
                {
                    ServiceConfig = """{"loadBalancingConfig":[{"round_robin":{}}]}""",
                });
                using var theirs = BuiltInBalancer.CreateRoundRobinChannel(ports);
                var ourLoad = new Load(new Echo.EchoClient(ours));
                var theirLoad = new Load(new Echo.EchoClient(theirs));
                await Task.WhenAll(ourLoad.WarmUpAsync(), theirLoad.WarmUpAsync());

                using var stop = new CancellationTokenSource();
                var running = Task.WhenAll(ourLoad.RunAsync(stop.Token), theirLoad.RunAsync(stop.Token));
                await Task.Delay(1000);
                if (mode == "SIGTERM")
                {
                    await Task.WhenAll(servers[0].TerminateAsync(), servers[1].TerminateAsync());
                }
                else
                {
                    servers[0].Kill();
                    servers[1].Kill();
                }

                await Task.Delay(1500);
                await stop.CancelAsync();
                await running;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {mode} | {round} | {ourLoad.Failed} / {ourLoad.Calls} | {theirLoad.Failed} / {theirLoad.Calls} |"));
                oursFailed += ourLoad.Failed;
                oursCalls += ourLoad.Calls;
                theirsFailed += theirLoad.Failed;
                theirsCalls += theirLoad.Calls;
                ourFirstError ??= ourLoad.FirstError;
                theirFirstError ??= theirLoad.FirstError;
                foreach (var server in servers)
                {
                    server.Dispose();
                }
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {mode} | all | **{oursFailed} / {oursCalls}** | **{theirsFailed} / {theirsCalls}** |"));
            Console.Error.WriteLine($"{mode}: first Proxyless error: {ourFirstError ?? "none"}");
            Console.Error.WriteLine($"{mode}: first grpc-dotnet error: {theirFirstError ?? "none"}");
        }

        return 0;
    }

    /// <summary>Eight callers, each pausing 10 ms between calls (about 600 calls/s in all on this machine).</summary>
    private sealed class Load(Echo.EchoClient client)
    {
        private int _calls;
        private int _failed;

        public int Calls => _calls;

        public int Failed => _failed;

        public string? FirstError { get; private set; }

        public async Task WarmUpAsync()
        {
            for (var i = 0; i < 30; i++)
            {
                await client.UnaryEchoAsync(new EchoRequest { Message = "warm" }, new CallOptions(deadline: DateTime.UtcNow.AddSeconds(10)).WithWaitForReady());
            }
        }

        public Task RunAsync(CancellationToken stop) => Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    await client.UnaryEchoAsync(new EchoRequest { Message = "load" }, deadline: DateTime.UtcNow.AddSeconds(10));
                }
                catch (RpcException ex)
                {
                    if (Interlocked.Increment(ref _failed) == 1)
                    {
                        FirstError = $"{ex.StatusCode}: {ex.Status.Detail}";
                    }
                }

                Interlocked.Increment(ref _calls);
                await Task.Delay(10, CancellationToken.None);
            }
        }));
    }
}
