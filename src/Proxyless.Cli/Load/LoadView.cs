using System.Globalization;
using System.Text.Json;
using Grpc.Examples.Echo;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Proxyless.Cli.Load;

/// <summary>How a load run is shown: a live table refreshed every second on a terminal, the summary at the end, or
/// the summary as JSON.</summary>
internal static class LoadView
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <summary>Runs the load and shows it; returns the report.</summary>
    public static async Task<LoadReport> RunAsync(IAnsiConsole console, Echo.EchoClient client, LoadSettings settings, string policy, bool json, CancellationToken cancellationToken)
    {
        var stats = new LoadStats();
        var run = LoadRunner.RunAsync(client, settings, stats, cancellationToken);
        if (!json && console.Profile.Capabilities.Interactive)
        {
            var started = DateTime.UtcNow;
            await console.Live(Live(stats, 0, TimeSpan.Zero, settings)).StartAsync(async context =>
            {
                while (!run.IsCompleted)
                {
                    await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(1), CancellationToken.None));
                    context.UpdateTarget(Live(stats, stats.TakeWindow(), DateTime.UtcNow - started, settings));
                    context.Refresh();
                }
            });
        }

        var elapsed = await run;
        var (calls, ok, latency, errors, backends) = stats.Snapshot();
        var report = new LoadReport
        {
            Target = settings.Target,
            Policy = policy,
            Call = settings.Streaming ? "server_streaming" : "unary",
            Concurrency = settings.Concurrency,
            DurationSeconds = Math.Round(elapsed.TotalSeconds, 3),
            Calls = calls,
            Ok = ok,
            CallsPerSecond = Math.Round(calls / Math.Max(elapsed.TotalSeconds, 1e-9), 1),
            LatencyMs = latency,
            Errors = errors,
            Backends = backends,
        };

        if (json)
        {
            console.Profile.Out.Writer.WriteLine(JsonSerializer.Serialize(report, Json));
        }
        else
        {
            console.Write(Summary(report));
        }

        return report;
    }

    private static IRenderable Live(LoadStats stats, long lastSecond, TimeSpan elapsed, LoadSettings settings)
    {
        var (calls, _, latency, errors, backends) = stats.Snapshot();
        var table = new Table().Title($"proxyless load {Markup.Escape(settings.Target)}").AddColumns("elapsed", "calls", "calls/s", "p50 ms", "p90 ms", "p99 ms", "errors");
        table.AddRow(
            $"{elapsed.TotalSeconds:0}s / {settings.Duration.TotalSeconds:0}s",
            calls.ToString(CultureInfo.InvariantCulture),
            lastSecond.ToString(CultureInfo.InvariantCulture),
            LoadStats.Format(latency.P50),
            LoadStats.Format(latency.P90),
            LoadStats.Format(latency.P99),
            Markup.Escape(errors.Count == 0 ? "0" : string.Join("\n", errors.Select(e => $"{e.Key} {e.Value}"))));
        var shares = new Table().AddColumns("backend", "calls", "share");
        foreach (var (backend, served) in backends)
        {
            shares.AddRow(Markup.Escape(backend), served.ToString(CultureInfo.InvariantCulture), string.Create(CultureInfo.InvariantCulture, $"{100.0 * served / Math.Max(calls, 1):0.0}%"));
        }

        return new Rows(table, shares);
    }

    private static IRenderable Summary(LoadReport report)
    {
        var grid = new Grid().AddColumn().AddColumn();
        grid.AddRow("target", Markup.Escape(report.Target));
        grid.AddRow("policy", Markup.Escape(report.Policy));
        grid.AddRow("calls", $"{report.Calls} ({report.Call}, {report.Concurrency} callers) in {report.DurationSeconds:0.00} s: {report.CallsPerSecond:0} calls/s");
        grid.AddRow("ok", report.Ok.ToString(CultureInfo.InvariantCulture));
        grid.AddRow("errors", Markup.Escape(report.Errors.Count == 0 ? "none" : string.Join(", ", report.Errors.Select(e => $"{e.Key} {e.Value}"))));
        var l = report.LatencyMs;
        grid.AddRow("latency ms", $"min {LoadStats.Format(l.Min)}, mean {LoadStats.Format(l.Mean)}, p50 {LoadStats.Format(l.P50)}, p90 {LoadStats.Format(l.P90)}, p99 {LoadStats.Format(l.P99)}, max {LoadStats.Format(l.Max)}");
        grid.AddRow("backends", Markup.Escape(Shares(report.Backends, report.Calls)));
        return grid;
    }

    private static string Shares(SortedDictionary<string, long> backends, long calls)
        => backends.Count == 0 ? "-" : string.Join("\n", backends.Select(b => string.Create(CultureInfo.InvariantCulture, $"{b.Key} {100.0 * b.Value / Math.Max(calls, 1):0.0}%")));
}
