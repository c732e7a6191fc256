using System.Globalization;

namespace Proxyless.Tests.Functional;

/// <summary>
/// The Observability example through the real OpenTelemetry SDK: the Prometheus endpoint serves gRPC's metric names
/// with the exact counts of the calls made, the failing backend's ejection, and the spans name the backend that served
/// each call. Series and spans of other tests running at the same time are told apart by target and port.
/// </summary>
public class ObservabilityExampleTests
{
    [Fact]
    public async Task PrometheusAndTheSpansShowWhatTheBalancerDid()
    {
        var result = await Observability.ObservabilityExample.RunAsync(new StringWriter(), calls: 300, prometheusPort: 0, consoleExporter: false);
        var ours = result.PrometheusText.Split('\n').Where(l => l.Contains($"grpc_target=\"{result.Target}\"", StringComparison.Ordinal)).ToList();
        double Value(string prefix, params string[] labels) => ours
            .Where(l => l.StartsWith(prefix + "{", StringComparison.Ordinal) && labels.All(x => l.Contains(x, StringComparison.Ordinal)))
            .Sum(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));

        Assert.Equal(302, Value("grpc_client_attempt_started_total")); // 300 calls and 2 traced ones, no retries
        Assert.Equal(302, Value("grpc_client_call_duration_seconds_count"));
        Assert.Equal(Value("proxyless_client_backend_attempts_total", $"proxyless_backend=\"{result.FailingBackend}\""), Value("grpc_client_call_duration_seconds_count", "grpc_status=\"UNAVAILABLE\""));
        Assert.Equal(1, Value("proxyless_lb_outlier_detection_ejections_total", $"proxyless_backend=\"{result.FailingBackend}\"", "proxyless_ejection_reason=\"failure_percentage\""));
        Assert.Equal(3, Value("grpc_subchannel_open_connections", "grpc_security_level=\"none\""));

        var backendPorts = result.Target["ipv4:///".Length..].Split(',').Select(a => int.Parse(a[(a.LastIndexOf(':') + 1)..], CultureInfo.InvariantCulture)).ToHashSet();
        var spans = result.Spans.Where(s => s.Tags.TryGetValue("server.port", out var p) && p is int port && backendPorts.Contains(port)).ToList();
        Assert.Equal(2, spans.Count);
        Assert.All(spans, s =>
        {
            Assert.Equal("127.0.0.1", s.Tags["server.address"]);
            Assert.Equal("outlier_detection", s.Tags["proxyless.lb.policy"]);
            Assert.Equal("grpc.examples.echo.Echo/UnaryEcho", s.Tags["rpc.method"]);
        });
    }
}
