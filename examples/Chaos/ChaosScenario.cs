using System.Collections.Concurrent;
using System.Net;
using Grpc.Core;
using Grpc.Examples.Echo;
using Proxyless;
using Proxyless.Examples;

namespace Chaos;

/// <summary>
/// Three backends on loopback, several callers making a fixed number of calls through round_robin with a retry
/// policy, and backends killed (connections aborted) and restarted one at a time. The next kill waits until the
/// channel is connected to the restarted backend again, so from the client's side at least one backend is always up.
/// Bounded in calls and time; stops by itself.
/// </summary>
public static class ChaosScenario
{
    /// <summary>Runs the scenario.</summary>
    /// <param name="output">Progress and the summary go here.</param>
    /// <param name="totalCalls">Calls to make in all.</param>
    /// <param name="callers">Concurrent callers.</param>
    /// <param name="kills">How many kill/restart rounds, spread over the run.</param>
    /// <param name="pace">Pause each caller takes between calls, which spreads the run over time.</param>
    /// <param name="loggerFactory">Logging for the channel, or null.</param>
    public static async Task<ChaosResult> RunAsync(TextWriter output, int totalCalls = 3000, int callers = 8, int kills = 6, TimeSpan? pace = null, Microsoft.Extensions.Logging.ILoggerFactory? loggerFactory = null)
    {
        var backends = new EchoBackend?[3];
        var ports = new int[3];
        for (var i = 0; i < 3; i++)
        {
            backends[i] = await EchoBackend.StartLoopbackAsync();
            ports[i] = backends[i]!.Port;
        }

        var perBackend = new ConcurrentDictionary<int, int>();
        var errors = new ConcurrentQueue<string>();
        var failures = 0;
        var done = 0;
        var killCount = 0;
        var channel = BalancedChannel.Create("ipv4:" + string.Join(",", ports.Select(p => $"127.0.0.1:{p}")), new BalancedChannelOptions
        {
            LoggerFactory = loggerFactory,
            ServiceConfig = """
                {"loadBalancingConfig":[{"round_robin":{}}],
                 "methodConfig":[{"name":[{}],"retryPolicy":{"maxAttempts":5,"initialBackoff":"0.05s","maxBackoff":"0.5s","backoffMultiplier":2,"retryableStatusCodes":["UNAVAILABLE"]}}]}
                """,
        });
        var client = new Echo.EchoClient(channel);
        using var timeLimit = new CancellationTokenSource(TimeSpan.FromMinutes(2));

        async Task CallerAsync(int share)
        {
            for (var i = 0; i < share && !timeLimit.IsCancellationRequested; i++)
            {
                try
                {
                    using var call = client.UnaryEchoAsync(new EchoRequest { Message = "chaos" }, deadline: DateTime.UtcNow.AddSeconds(10));
                    var peer = (await call.ResponseHeadersAsync).GetPeer()!;
                    await call;
                    perBackend.AddOrUpdate(int.Parse(peer[(peer.LastIndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture), 1, (_, n) => n + 1);
                }
                catch (RpcException ex)
                {
                    Interlocked.Increment(ref failures);
                    if (errors.Count < 5)
                    {
                        errors.Enqueue($"{ex.StatusCode}: {ex.Status.Detail}");
                    }
                }

                Interlocked.Increment(ref done);
                if (pace is { } pause && pause > TimeSpan.Zero)
                {
                    await Task.Delay(pause);
                }
            }
        }

        async Task ChaosAsync()
        {
            for (var round = 0; round < kills && !timeLimit.IsCancellationRequested; round++)
            {
                var victim = round % 3;
                await WaitForCallsAsync((round + 1) * totalCalls / (kills + 2));
                await backends[victim]!.KillAsync();
                Interlocked.Increment(ref killCount);
                var killedAt = Volatile.Read(ref done);
                await output.WriteLineAsync($"[{killedAt,5} calls] killed backend 127.0.0.1:{ports[victim]}");
                await WaitForCallsAsync(killedAt + (totalCalls / (2 * (kills + 2))));
                backends[victim] = await EchoBackend.StartAsync(new IPEndPoint(IPAddress.Loopback, ports[victim]));
                await output.WriteLineAsync($"[{Volatile.Read(ref done),5} calls] restarted backend 127.0.0.1:{ports[victim]}");

                // The channel reconnects when the subchannel's backoff ends; only then is this backend "up" again.
                var address = $"127.0.0.1:{ports[victim]}";
                while (!timeLimit.IsCancellationRequested && Volatile.Read(ref done) < totalCalls
                    && !channel.GetDiagnostics().Subchannels.Any(s => s.Address == address && s.State == ConnectivityState.Ready))
                {
                    await Task.Delay(10);
                }
            }
        }

        async Task WaitForCallsAsync(int count)
        {
            while (Volatile.Read(ref done) < count && Volatile.Read(ref done) < totalCalls && !timeLimit.IsCancellationRequested)
            {
                await Task.Delay(5);
            }
        }

        var load = Task.WhenAll(Enumerable.Range(0, callers).Select(c => CallerAsync((totalCalls / callers) + (c < totalCalls % callers ? 1 : 0))));
        await Task.WhenAll(load, ChaosAsync());

        // Every call has ended, so the channel must count none in flight.
        var inFlight = channel.GetDiagnostics().Subchannels.Sum(s => s.ActiveCalls);
        channel.Dispose();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (backends.Sum(b => b!.OpenConnections) > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        var openAfter = backends.Sum(b => b!.OpenConnections);
        foreach (var backend in backends)
        {
            await backend!.DisposeAsync();
        }

        var result = new ChaosResult(Volatile.Read(ref done), failures, killCount, perBackend.ToDictionary(), inFlight, openAfter, errors.ToArray());
        await output.WriteLineAsync($"calls: {result.Calls}, failures: {result.Failures}, backends killed and restarted: {result.Kills}");
        await output.WriteLineAsync("per backend: " + string.Join(", ", ports.Select(p => $"127.0.0.1:{p} {result.CallsPerBackend.GetValueOrDefault(p)}")));
        await output.WriteLineAsync($"calls in flight after the run: {result.CallsInFlightAfter}; connections open after dispose: {result.ConnectionsOpenAfterDispose}");
        foreach (var error in result.Errors)
        {
            await output.WriteLineAsync("error: " + error);
        }

        return result;
    }
}
