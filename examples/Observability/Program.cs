// Proxyless's metrics and traces through the OpenTelemetry SDK: three backends (one failing), outlier detection over
// weighted_round_robin, Prometheus text on a local endpoint, the console exporters.
//   dotnet run --project examples/Observability [-- <calls> [--prometheus-port <port>]]
using Observability;

var calls = args.Length > 0 && int.TryParse(args[0], out var n) ? n : 300;
var portAt = Array.IndexOf(args, "--prometheus-port");
var port = portAt >= 0 && portAt + 1 < args.Length ? int.Parse(args[portAt + 1], System.Globalization.CultureInfo.InvariantCulture) : 9464;
var result = await ObservabilityExample.RunAsync(Console.Out, calls, port);
return result.PrometheusText.Contains("grpc_client_attempt_started", StringComparison.Ordinal) ? 0 : 1;
