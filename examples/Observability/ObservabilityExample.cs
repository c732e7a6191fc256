using System.Net;
using System.Net.Sockets;
using Grpc.Examples.Echo;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Proxyless;
using Proxyless.Diagnostics;
using Proxyless.Examples;

namespace Observability;

/// <summary>
/// Three loopback backends, the third failing every call with UNAVAILABLE, behind outlier detection over
/// weighted_round_robin (the backends send ORCA load reports). Metrics go through the OpenTelemetry SDK to a
/// Prometheus endpoint on loopback (scraped and printed at the end) and to the console exporter; two calls are traced
/// with OpenTelemetry's gRPC client instrumentation and printed by the console exporter.
/// </summary>
public static class ObservabilityExample
{
    private const string ServiceConfig = """
        {"loadBalancingConfig":[{"outlier_detection":{
            "interval":"0.5s","baseEjectionTime":"30s",
            "failurePercentageEjection":{"threshold":50,"minimumHosts":3,"requestVolume":10},
            "childPolicy":[{"weighted_round_robin":{"blackoutPeriod":"0.5s","weightUpdatePeriod":"0.25s"}}]}}]}
        """;

    /// <summary>Runs the scenario.</summary>
    /// <param name="output">Where the exporters' and the example's output goes.</param>
    /// <param name="calls">Unary calls to make.</param>
    /// <param name="prometheusPort">The loopback port of the Prometheus endpoint; 0 picks a free one.</param>
    /// <param name="consoleExporter">Also export through OpenTelemetry's console exporter (to the process's console): the
    /// spans as they end, every metric when the run ends.</param>
    public static async Task<ObservabilityResult> RunAsync(TextWriter output, int calls = 300, int prometheusPort = 9464, bool consoleExporter = true)
    {
        if (prometheusPort == 0)
        {
            prometheusPort = FreePort();
        }

        await using var a = await EchoBackend.StartLoopbackAsync(o => (o.Label, o.OrcaCpuUtilization, o.OrcaQps) = ("A", 0.2, 100));
        await using var b = await EchoBackend.StartLoopbackAsync(o => (o.Label, o.OrcaCpuUtilization, o.OrcaQps) = ("B", 0.6, 100));
        await using var c = await EchoBackend.StartLoopbackAsync(o => (o.Label, o.FailWith) = ("C", Grpc.Core.StatusCode.Unavailable));
        var target = $"ipv4:{a.Address},{b.Address},{c.Address}";

        var prometheus = $"http://127.0.0.1:{prometheusPort}/";
        var meterBuilder = Sdk.CreateMeterProviderBuilder()
            .AddMeter(ProxylessMeters.Stable, ProxylessMeters.Experimental)
            .AddPrometheusHttpListener(o => (o.Host, o.Port) = ("127.0.0.1", prometheusPort));
        if (consoleExporter)
        {
            // One export, when the provider is disposed at the end of the run.
            meterBuilder.AddConsoleExporter((_, reader) => reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = int.MaxValue);
        }

        using var meters = meterBuilder.Build();

        await output.WriteLineAsync($"backends: A {a.Address} (20% CPU), B {b.Address} (60% CPU), C {c.Address} (fails every call)");
        await output.WriteLineAsync($"Prometheus endpoint: {prometheus}metrics");
        using var channel = BalancedChannel.Create(target, new BalancedChannelOptions { ServiceConfig = ServiceConfig });
        var client = new Echo.EchoClient(channel);
        var failed = 0;
        for (var i = 0; i < calls; i++)
        {
            try
            {
                await client.UnaryEchoAsync(new EchoRequest { Message = "observe" });
            }
            catch (Grpc.Core.RpcException)
            {
                failed++;
            }

            if (i % 50 == 49)
            {
                await Task.Delay(300); // let the outlier interval and the weight updates run
            }
        }

        await output.WriteLineAsync($"{calls} calls, {failed} failed; calls served: A {a.State.Calls}, B {b.State.Calls}, C {c.State.Calls}");

        // Two traced calls: OpenTelemetry's gRPC client instrumentation, exported to the console.
        var spans = new SpanCollector();
        var tracerBuilder = Sdk.CreateTracerProviderBuilder().AddGrpcClientInstrumentation().AddProcessor(spans);
        if (consoleExporter)
        {
            tracerBuilder.AddConsoleExporter();
        }

        using (tracerBuilder.Build())
        {
            for (var i = 0; i < 2; i++)
            {
                await client.UnaryEchoAsync(new EchoRequest { Message = "traced" });
            }
        }

        await output.WriteLineAsync();
        await output.WriteLineAsync("--- spans (OpenTelemetry gRPC client instrumentation) ---");
        foreach (var (name, tags) in spans.Spans)
        {
            await output.WriteLineAsync($"{name}: {string.Join(", ", tags.Where(t => t.Key.StartsWith("server.", StringComparison.Ordinal) || t.Key.StartsWith("network.peer", StringComparison.Ordinal) || t.Key.StartsWith("proxyless.", StringComparison.Ordinal) || t.Key == "rpc.method").Select(t => $"{t.Key}={t.Value}"))}");
        }

        using var http = new HttpClient();
        var text = await http.GetStringAsync(new Uri($"{prometheus}metrics"));
        await output.WriteLineAsync();
        await output.WriteLineAsync("--- Prometheus text (selected series) ---");
        foreach (var line in text.Split('\n').Where(Interesting))
        {
            await output.WriteLineAsync(line);
        }

        return new ObservabilityResult($"ipv4:///{a.Address},{b.Address},{c.Address}", c.Address, text, spans.Spans);
    }

    private static bool Interesting(string line)
        => !line.StartsWith('#') && !line.Contains("_bucket{", StringComparison.Ordinal)
            && (line.StartsWith("grpc_client_attempt_started", StringComparison.Ordinal)
                || line.StartsWith("grpc_client_call_duration_seconds_count", StringComparison.Ordinal)
                || line.StartsWith("proxyless_client_backend_attempts", StringComparison.Ordinal)
                || line.StartsWith("proxyless_lb_outlier_detection", StringComparison.Ordinal)
                || line.StartsWith("grpc_lb_wrr_rr_fallback", StringComparison.Ordinal)
                || line.StartsWith("grpc_subchannel_open_connections", StringComparison.Ordinal));

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
