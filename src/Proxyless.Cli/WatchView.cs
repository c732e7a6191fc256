using System.Globalization;
using System.Text.Json;
using Grpc.Core;
using Grpc.Examples.Echo;
using Proxyless.Diagnostics;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Proxyless.Cli;

/// <summary>
/// <c>proxyless watch</c>: a balanced channel to the target, looked at every interval: the channel's state and policy,
/// each subchannel's state, calls in flight, connections and what the policy says of it (weight, ejection), and the
/// endpoints the resolver added or removed since the last look. Optionally drives echo calls at a fixed rate so weights
/// and ejections have traffic to react to. A live table on a terminal; one JSON object per look with
/// <c>--format json</c>.
/// </summary>
internal static class WatchView
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public static async Task<int> RunAsync(IAnsiConsole console, BalancedChannel channel, TimeSpan duration, TimeSpan interval, int rps, bool json, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        stop.CancelAfter(duration); // until Ctrl+C the command passes its longest run

        _ = channel.ConnectAsync(stop.Token).ContinueWith(static t => _ = t.Exception, TaskScheduler.Default); // connect now; state shows progress
        var traffic = rps > 0 ? DriveAsync(new Echo.EchoClient(channel), rps, stop.Token) : Task.CompletedTask;
        var previous = new HashSet<string>(StringComparer.Ordinal);
        var started = DateTime.UtcNow;
        var events = new List<string>();

        IRenderable Look()
        {
            var snapshot = channel.GetDiagnostics();
            var current = snapshot.Subchannels.Select(s => s.Address).ToHashSet(StringComparer.Ordinal);
            var added = current.Except(previous).Order(StringComparer.Ordinal).ToArray();
            var removed = previous.Except(current).Order(StringComparer.Ordinal).ToArray();
            previous = current;
            var elapsed = (DateTime.UtcNow - started).TotalSeconds;
            if (added.Length + removed.Length > 0)
            {
                events.Add(string.Create(CultureInfo.InvariantCulture, $"{elapsed:0.0}s resolver: {string.Join(", ", added.Select(a => "+" + a).Concat(removed.Select(r => "-" + r)))}"));
            }

            if (json)
            {
                var line = new
                {
                    elapsedSeconds = Math.Round(elapsed, 1),
                    state = snapshot.State.ToString(),
                    policy = snapshot.Policy,
                    subchannels = snapshot.Subchannels.Select(s => new { address = s.Address, state = s.State.ToString(), activeCalls = s.ActiveCalls, openConnections = s.OpenConnections, note = s.PolicyNote }),
                    added,
                    removed,
                    resources = snapshot.Resources.Select(r => new { type = r.Type, name = r.Name, status = r.Status, version = r.Version, error = r.Error }),
                };
                console.Profile.Out.Writer.WriteLine(JsonSerializer.Serialize(line, Json));
            }

            return Render(snapshot, elapsed, events);
        }

        if (!json && console.Profile.Capabilities.Interactive)
        {
            await console.Live(Look()).StartAsync(async context =>
            {
                while (!stop.IsCancellationRequested)
                {
                    await Delay(interval, stop.Token);
                    context.UpdateTarget(Look());
                    context.Refresh();
                }
            });
        }
        else
        {
            while (true)
            {
                var view = Look();
                if (!json)
                {
                    console.Write(view);
                }

                if (stop.IsCancellationRequested)
                {
                    break;
                }

                await Delay(interval, stop.Token);
            }
        }

        await traffic;
        return 0;
    }

    private static IRenderable Render(ChannelDiagnostics snapshot, double elapsed, List<string> events)
    {
        var table = new Table()
            .Title(Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"{snapshot.Target}: {snapshot.State}, {snapshot.Policy ?? "no policy yet"} ({elapsed:0}s)")))
            .AddColumns("backend", "state", "in flight", "connections", "policy");
        foreach (var s in snapshot.Subchannels.OrderBy(s => s.Address, StringComparer.Ordinal))
        {
            var state = s.State switch
            {
                ConnectivityState.Ready => "[green]READY[/]",
                ConnectivityState.TransientFailure => "[red]TRANSIENT_FAILURE[/]",
                ConnectivityState.Connecting => "[yellow]CONNECTING[/]",
                _ => s.State.ToString().ToUpperInvariant(),
            };
            table.AddRow(Markup.Escape(s.Address), state, s.ActiveCalls.ToString(CultureInfo.InvariantCulture), s.OpenConnections.ToString(CultureInfo.InvariantCulture), Markup.Escape(s.PolicyNote ?? ""));
        }

        var parts = new List<IRenderable> { table };
        if (snapshot.Resources.Count > 0)
        {
            var resources = new Table().Title("xDS resources").AddColumns("type", "name", "status", "version", "error");
            foreach (var r in snapshot.Resources)
            {
                var status = r.Status switch
                {
                    "ACKED" => "[green]ACKED[/]",
                    "NACKED" or "DOES_NOT_EXIST" => $"[red]{r.Status}[/]",
                    _ => $"[yellow]{r.Status}[/]",
                };
                resources.AddRow(r.Type, Markup.Escape(r.Name), status, Markup.Escape(r.Version ?? ""), Markup.Escape(r.Error ?? ""));
            }

            parts.Add(resources);
        }

        if (events.Count > 0)
        {
            parts.Add(new Text(string.Join("\n", events.TakeLast(5))));
        }

        return parts.Count == 1 ? table : new Rows(parts);
    }

    private static async Task DriveAsync(Echo.EchoClient client, int rps, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1.0 / rps));
        var calls = new List<Task>();
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                calls.RemoveAll(t => t.IsCompleted);
                calls.Add(CallAsync(client));
            }
        }
        catch (OperationCanceledException)
        {
        }

        await Task.WhenAll(calls);
    }

    private static async Task CallAsync(Echo.EchoClient client)
    {
        try
        {
            await client.UnaryEchoAsync(new EchoRequest { Message = "watch" }, deadline: DateTime.UtcNow.AddSeconds(5));
        }
        catch (RpcException)
        {
            // failures show in the subchannel states and the policy's notes
        }
    }

    private static async Task Delay(TimeSpan interval, CancellationToken stop)
    {
        try
        {
            await Task.Delay(interval, stop);
        }
        catch (OperationCanceledException)
        {
        }
    }
}
