using System.Security.Cryptography.X509Certificates;
using Proxyless.Configuration;
using Proxyless.Transport;
using Proxyless.Xds.Bootstrap;

namespace Proxyless.Xds.Client;

/// <summary>
/// The channel to a control plane: a <see cref="BalancedChannel"/> to the bootstrap's <c>server_uri</c> (a target
/// without a scheme is resolved by DNS, as gRPC does), in plaintext for <c>insecure</c> or TLS for <c>tls</c> with the
/// A65 files: a CA bundle to trust instead of the system's, a client certificate and key.
/// </summary>
internal static class XdsServerChannel
{
    public static BalancedChannel Create(XdsServerConfig server, BackoffOptions? backoff = null)
    {
        var options = new BalancedChannelOptions();
        if (backoff is not null)
        {
            options.Connection.Backoff = backoff;
        }

        var credentials = server.Credentials;
        if (credentials.Type == "tls")
        {
            var tls = new TlsOptions();
            if (credentials.CaCertificateFile is { } ca)
            {
                var roots = new X509Certificate2Collection();
                roots.ImportFromPemFile(ca);
                tls.TrustedRoots = roots;
            }

            if (credentials.CertificateFile is { } cert && credentials.PrivateKeyFile is { } key)
            {
                tls.ClientCertificate = X509Certificate2.CreateFromPemFile(cert, key);
            }

            options.Tls = tls;
        }

        return BalancedChannel.Create(server.ServerUri, options);
    }
}
