namespace Observability;

/// <summary>What the example saw.</summary>
/// <param name="Target">The channel's target in the metrics' canonical form (<c>ipv4:///a,b,c</c>).</param>
/// <param name="FailingBackend">The address of the backend that fails every call.</param>
/// <param name="PrometheusText">The text the Prometheus endpoint served at the end of the run.</param>
/// <param name="Spans">The exported client spans: display name and tags.</param>
public sealed record ObservabilityResult(string Target, string FailingBackend, string PrometheusText, IReadOnlyList<(string Name, IReadOnlyDictionary<string, object?> Tags)> Spans);
