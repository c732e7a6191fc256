namespace Proxyless.Diagnostics;

/// <summary>
/// The names of the meters Proxyless records on (<see cref="System.Diagnostics.Metrics"/>). Subscribe by name, e.g.
/// OpenTelemetry's <c>AddMeter(ProxylessMeters.Experimental)</c>. As gRPC does, instruments its gRFCs call experimental
/// (A94 subchannel metrics, ...) are on <see cref="Experimental"/>, which nothing records unless a listener asks for it.
/// </summary>
public static class ProxylessMeters
{
    /// <summary>Instruments gRPC turns on by default.</summary>
    public const string Stable = "Proxyless";

    /// <summary>Instruments gRPC marks experimental and off by default: <c>grpc.subchannel.*</c> (gRFC A94), <c>grpc.client.call.retries</c> and the other retry instruments (A96), <c>grpc.lb.wrr.*</c> (A78).</summary>
    public const string Experimental = "Proxyless.Experimental";

    /// <summary>The meter every stable instrument is created on.</summary>
    internal static readonly System.Diagnostics.Metrics.Meter StableMeter = new(Stable);

    /// <summary>The meter every experimental instrument is created on.</summary>
    internal static readonly System.Diagnostics.Metrics.Meter ExperimentalMeter = new(Experimental);
}
