namespace Proxyless.Xds.Bootstrap;

/// <summary>
/// The credentials for the channel to a control plane: <c>insecure</c>, or <c>tls</c> with optional files (gRFC A65):
/// a CA bundle to trust instead of the system's, and a client certificate and key for mutual TLS.
/// </summary>
internal sealed record XdsChannelCredentials(string Type, string? CaCertificateFile = null, string? CertificateFile = null, string? PrivateKeyFile = null)
{
    /// <summary>The credential types this client supports, in the order a bootstrap may list them.</summary>
    public static readonly IReadOnlyList<string> Supported = ["insecure", "tls"];
}
