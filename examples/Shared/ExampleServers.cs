using System.Net;
using System.Runtime.InteropServices;

namespace Proxyless.Examples;

/// <summary>Starting and stopping an example's set of echo servers.</summary>
public static class ExampleServers
{
    /// <summary>Starts one echo server per spec; if one fails to start, the ones started are stopped.</summary>
    /// <param name="servers">Each server's main address, reply label (null: its address), and extra addresses.</param>
    public static async Task<IReadOnlyList<EchoBackend>> StartAsync(IEnumerable<(IPEndPoint EndPoint, string? Label, IPEndPoint[] Also)> servers)
    {
        var started = new List<EchoBackend>();
        try
        {
            foreach (var (endPoint, label, also) in servers)
            {
                var server = await EchoBackend.StartAsync(endPoint, o =>
                {
                    foreach (var extra in also)
                    {
                        o.AdditionalEndPoints.Add(extra);
                    }
                });
                if (label is not null)
                {
                    server.State.Label = label.Replace("{port}", server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
                }

                started.Add(server);
            }
        }
        catch
        {
            await StopAllAsync(started);
            throw;
        }

        return started;
    }

    /// <summary>Prints where each server listens, then serves until Ctrl+C or SIGTERM.</summary>
    /// <param name="servers">The servers.</param>
    public static async Task ServeUntilCancelledAsync(IReadOnlyList<EchoBackend> servers)
    {
        foreach (var server in servers)
        {
            var extra = server.State.Options.AdditionalEndPoints.Select(e => e.ToString());
            Console.WriteLine($"serving on {string.Join(" and ", new[] { server.Address }.Concat(extra))}, replying \"(from {server.State.Label})\"");
        }

        // Ctrl+C (SIGINT) and SIGTERM (timeout, kill, service managers) both stop the servers cleanly.
        var stop = new TaskCompletionSource();
        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.TrySetResult();
        }

        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        await stop.Task;
        await StopAllAsync(servers);
    }

    /// <summary>Stops every server.</summary>
    /// <param name="servers">The servers.</param>
    public static async Task StopAllAsync(IEnumerable<EchoBackend> servers)
    {
        foreach (var server in servers)
        {
            await server.DisposeAsync();
        }
    }
}
