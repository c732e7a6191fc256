using System.Net;
using System.Net.Sockets;

namespace Proxyless.Resolution;

/// <summary>
/// One network address of a backend: an IP and port, a host name and port, or a Unix domain socket path,
/// with attributes (for example the TLS server name to expect there). A subchannel connects to exactly one address.
/// </summary>
public sealed class BackendAddress : IEquatable<BackendAddress>
{
    private readonly string _text;

    /// <summary>Creates an address.</summary>
    /// <param name="endPoint">An <see cref="IPEndPoint"/>, <see cref="DnsEndPoint"/> or <see cref="UnixDomainSocketEndPoint"/>.</param>
    /// <param name="attributes">Attributes of this address.</param>
    public BackendAddress(EndPoint endPoint, Attributes? attributes = null)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        if (endPoint is not (IPEndPoint or DnsEndPoint or UnixDomainSocketEndPoint))
        {
            throw new ArgumentException($"Unsupported endpoint type {endPoint.GetType().Name}; use IPEndPoint, DnsEndPoint or UnixDomainSocketEndPoint.", nameof(endPoint));
        }

        EndPoint = endPoint;
        Attributes = attributes ?? Attributes.Empty;
        _text = Format(endPoint);
    }

    /// <summary>Creates an address for a host (name or IP literal) and port.</summary>
    /// <param name="host">Host name or IP literal.</param>
    /// <param name="port">Port.</param>
    /// <param name="attributes">Attributes of this address.</param>
    public BackendAddress(string host, int port, Attributes? attributes = null)
        : this(IPAddress.TryParse(host.Trim('[', ']'), out var ip) ? new IPEndPoint(ip, port) : new DnsEndPoint(host, port), attributes)
    {
    }

    /// <summary>The network endpoint to connect to.</summary>
    public EndPoint EndPoint { get; }

    /// <summary>Attributes of this address.</summary>
    public Attributes Attributes { get; }

    /// <summary>The address family (InterNetwork, InterNetworkV6, Unix, or Unspecified for host names).</summary>
    public AddressFamily AddressFamily => EndPoint.AddressFamily;

    /// <summary>Returns a copy with other attributes.</summary>
    /// <param name="attributes">The new attributes.</param>
    public BackendAddress WithAttributes(Attributes attributes) => new(EndPoint, attributes);

    /// <summary>The address as gRPC prints peers: <c>127.0.0.1:50051</c>, <c>[::1]:50051</c>, <c>host:443</c> or <c>unix:/path</c>.</summary>
    public override string ToString() => _text;

    /// <inheritdoc />
    public bool Equals(BackendAddress? other) => other is not null && _text == other._text;

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as BackendAddress);

    /// <inheritdoc />
    public override int GetHashCode() => _text.GetHashCode(StringComparison.Ordinal);

    private static string Format(EndPoint endPoint) => endPoint switch
    {
        IPEndPoint { AddressFamily: AddressFamily.InterNetworkV6 } ip => $"[{ip.Address}]:{ip.Port}",
        IPEndPoint ip => $"{ip.Address}:{ip.Port}",
        DnsEndPoint dns => $"{dns.Host}:{dns.Port}",
        UnixDomainSocketEndPoint unix => $"unix:{unix}",
        _ => endPoint.ToString() ?? "",
    };
}
