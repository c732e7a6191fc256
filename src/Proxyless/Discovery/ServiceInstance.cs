namespace Proxyless.Discovery;

/// <summary>
/// One running instance of a service as a registry stores it: name, version, unique id, endpoints (each with one or
/// more addresses, e.g. its IPv6 and IPv4 address) and free-form metadata. Well-known metadata keys are in
/// <see cref="InstanceMetadata"/> (weight, zone, TLS server name, protocol).
/// </summary>
/// <param name="Name">The service name clients discover, e.g. <c>hello</c>.</param>
/// <param name="Version">The instance's version, e.g. <c>1.0.0</c>.</param>
/// <param name="Id">Unique among the service's instances.</param>
/// <param name="Endpoints">The instance's endpoints; at least one.</param>
/// <param name="Metadata">Metadata; see <see cref="InstanceMetadata"/>.</param>
public sealed record ServiceInstance(
    string Name,
    string Version,
    string Id,
    IReadOnlyList<InstanceEndpoint> Endpoints,
    IReadOnlyDictionary<string, string> Metadata)
{
    /// <inheritdoc />
    public override string ToString() => $"{Name}/{Version}/{Id} [{string.Join("; ", Endpoints)}]";
}
