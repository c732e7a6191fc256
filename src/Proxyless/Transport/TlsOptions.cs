using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace Proxyless.Transport;

/// <summary>
/// TLS for every subchannel of a channel. The server name is chosen per address: the address's
/// <see cref="Resolution.AddressAttributes.ServerName"/> attribute, else <see cref="ServerNameOverride"/>, else the
/// target's host. The socket still connects to the resolved IP. There is no fallback to plaintext.
/// </summary>
public sealed class TlsOptions
{
    /// <summary>CA certificates to trust instead of the system roots; null trusts the system roots.</summary>
    public X509Certificate2Collection? TrustedRoots { get; set; }

    /// <summary>A client certificate (with its private key) for mutual TLS.</summary>
    public X509Certificate2? ClientCertificate { get; set; }

    /// <summary>The server name for addresses that carry none (instead of the target's host).</summary>
    public string? ServerNameOverride { get; set; }

    /// <summary>
    /// An extra check after the standard ones passed (pinning, organisation checks, ...): return null to accept or a
    /// sentence saying why the certificate is rejected; the sentence becomes part of the call's error.
    /// </summary>
    public Func<ServerCertificateContext, string?>? ValidateServerCertificate { get; set; }

    /// <summary>TLS versions to allow; the system's defaults when null.</summary>
    public SslProtocols? EnabledProtocols { get; set; }
}
