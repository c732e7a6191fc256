using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Proxyless.Examples;

/// <summary>
/// A throwaway certificate authority made in memory when an example or test starts (no private key is ever written
/// to disk or committed). Issues server certificates for DNS names and client certificates for mutual TLS.
/// </summary>
public sealed class DevCertificateAuthority : IDisposable
{
    private readonly ECDsa _key;

    private DevCertificateAuthority(X509Certificate2 certificate, ECDsa key)
    {
        Certificate = certificate;
        _key = key;
    }

    /// <summary>The CA certificate (public part), to trust on clients.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>Creates a CA valid from a day ago for a year.</summary>
    /// <param name="name">The CA's common name.</param>
    public static DevCertificateAuthority Create(string name = "Proxyless Example CA")
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        using var withKey = request.CreateSelfSigned(now.AddDays(-1), now.AddYears(1));
        var publicOnly = X509CertificateLoader.LoadCertificate(withKey.RawData);
        return new DevCertificateAuthority(publicOnly, key);
    }

    /// <summary>Issues a server certificate (with private key) for the DNS names and, optionally, loopback IPs.</summary>
    /// <param name="dnsNames">The names it is valid for; the first is also its common name.</param>
    /// <param name="notBefore">Start of validity (default: an hour ago).</param>
    /// <param name="notAfter">End of validity (default: in 30 days).</param>
    public X509Certificate2 IssueServerCertificate(IReadOnlyList<string> dnsNames, DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null)
    {
        var san = new SubjectAlternativeNameBuilder();
        foreach (var name in dnsNames)
        {
            san.AddDnsName(name);
        }

        return Issue(dnsNames[0], san.Build(), "1.3.6.1.5.5.7.3.1", notBefore, notAfter);
    }

    /// <summary>Issues a client certificate (with private key) for mutual TLS.</summary>
    /// <param name="name">The client's common name.</param>
    public X509Certificate2 IssueClientCertificate(string name)
    {
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(name);
        return Issue(name, san.Build(), "1.3.6.1.5.5.7.3.2", null, null);
    }

    /// <summary>Whether <paramref name="certificate"/> chains to this CA (for servers checking client certificates).</summary>
    /// <param name="certificate">The certificate.</param>
    public bool Verifies(X509Certificate2 certificate)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.CustomTrustStore.Add(Certificate);
        return chain.Build(certificate);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _key.Dispose();
        Certificate.Dispose();
    }

    private X509Certificate2 Issue(string commonName, X509Extension san, string usage, DateTimeOffset? notBefore, DateTimeOffset? notAfter)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(usage)], false));
        request.CertificateExtensions.Add(san);
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Certificate, true, false));
        var now = DateTimeOffset.UtcNow;
        var serial = RandomNumberGenerator.GetBytes(12);
        var issuerName = Certificate.SubjectName;
        var generator = X509SignatureGenerator.CreateForECDsa(_key);
        using var issued = request.Create(issuerName, generator, notBefore ?? now.AddHours(-1), notAfter ?? now.AddDays(30), serial);
        using var withKey = issued.CopyWithPrivateKey(key);

        // A round trip through PKCS#12 gives a certificate whose key SslStream can use on every platform.
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }

}
