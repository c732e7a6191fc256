using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Proxyless.Resolution;

namespace Proxyless.Transport;

/// <summary>What a custom server-certificate check (<see cref="TlsOptions.ValidateServerCertificate"/>) sees.</summary>
/// <param name="Address">The address connected to.</param>
/// <param name="ServerName">The name the certificate was checked against.</param>
/// <param name="Certificate">The server's certificate.</param>
/// <param name="Chain">The chain built for it.</param>
/// <param name="PolicyErrors">The errors found by the standard checks (none when the hook runs after they passed).</param>
public sealed record ServerCertificateContext(BackendAddress Address, string ServerName, X509Certificate2 Certificate, X509Chain? Chain, SslPolicyErrors PolicyErrors);
