using System.Diagnostics;
using Grpc.Core;
using Grpc.Examples.Echo;

namespace Proxyless.Cli.Load;

/// <summary>
/// Runs the calls of a load run: <see cref="LoadSettings.Concurrency"/> callers share one call budget and stop when it
/// is spent or the duration is over (a call in flight then finishes, within its deadline); with a rate, call <c>i</c> starts no earlier than <c>i / rps</c> seconds in. Each
/// call's backend comes from the response headers (the peer Proxyless names).
/// </summary>
internal static class LoadRunner
{
    public static async Task<TimeSpan> RunAsync(Echo.EchoClient client, LoadSettings settings, LoadStats stats, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        stop.CancelAfter(settings.Duration);
        var request = new EchoRequest { Message = settings.Message };
        var issued = -1L;
        var started = Stopwatch.GetTimestamp();
        async Task CallerAsync()
        {
            while (!stop.IsCancellationRequested)
            {
                var index = Interlocked.Increment(ref issued);
                if (index >= settings.Count)
                {
                    return;
                }

                if (settings.Rps > 0)
                {
                    var at = TimeSpan.FromSeconds(index / (double)settings.Rps);
                    if (at >= settings.Duration)
                    {
                        return; // its start would fall after the run's end
                    }

                    var due = at - Stopwatch.GetElapsedTime(started);
                    if (due > TimeSpan.Zero)
                    {
                        try
                        {
                            await Task.Delay(due, stop.Token);
                        }
                        catch (OperationCanceledException)
                        {
                            return;
                        }
                    }
                }

                if (Stopwatch.GetElapsedTime(started) >= settings.Duration)
                {
                    return; // the run is over even if its timer has not fired yet (a busy machine)
                }

                await CallAsync(client, request, settings, stats);
            }
        }

        await Task.WhenAll(Enumerable.Range(0, settings.Concurrency).Select(_ => Task.Run(CallerAsync, CancellationToken.None)));
        return Stopwatch.GetElapsedTime(started);
    }

    private static async Task CallAsync(Echo.EchoClient client, EchoRequest request, LoadSettings settings, LoadStats stats)
    {
        var begin = Stopwatch.GetTimestamp();
        string? peer = null;
        try
        {
            var options = new CallOptions(deadline: DateTime.UtcNow + settings.CallTimeout);
            if (settings.Streaming)
            {
                using var call = client.ServerStreamingEcho(request, options);
                peer = (await call.ResponseHeadersAsync).GetPeer();
                while (await call.ResponseStream.MoveNext(CancellationToken.None))
                {
                }
            }
            else
            {
                using var call = client.UnaryEchoAsync(request, options);
                peer = (await call.ResponseHeadersAsync).GetPeer();
                await call;
            }

            stats.Succeeded(peer ?? "?", Stopwatch.GetElapsedTime(begin).TotalMilliseconds);
        }
        catch (RpcException ex)
        {
            stats.Failed(ex.StatusCode, peer);
        }
    }
}
