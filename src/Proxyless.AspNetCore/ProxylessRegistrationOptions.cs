namespace Proxyless.AspNetCore;

/// <summary>How a server registers itself (see <c>AddProxylessRegistration</c>).</summary>
public sealed class ProxylessRegistrationOptions
{
    /// <summary>The service name clients discover (e.g. <c>hello</c>). Required.</summary>
    public string ServiceName { get; set; } = "";

    /// <summary>The instance's version.</summary>
    public string Version { get; set; } = "1.0.0";

    /// <summary>A unique id; <c>&lt;service&gt;-&lt;random&gt;</c> when null.</summary>
    public string? InstanceId { get; set; }

    /// <summary>Metadata such as <c>weight</c>, <c>zone</c>, <c>serverName</c>.</summary>
    public IDictionary<string, string> Metadata { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>
    /// The host to advertise instead of the bound one (needed when Kestrel listens on any-address and clients are
    /// elsewhere). Null advertises loopback for any-address and <c>localhost</c> binds.
    /// </summary>
    public string? AdvertisedHost { get; set; }

    /// <summary>
    /// On shutdown the health status turns NOT_SERVING, then this long passes (clients move away, calls in flight
    /// finish) before the instance is deregistered and Kestrel stops.
    /// </summary>
    public TimeSpan DrainPeriod { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The health service name to flip besides "" (the whole server); <see cref="ServiceName"/> when null.</summary>
    public string? HealthServiceName { get; set; }
}
