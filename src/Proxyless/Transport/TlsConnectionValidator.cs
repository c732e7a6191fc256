using System.Globalization;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Proxyless.Resolution;

namespace Proxyless.Transport;

/// <summary>
/// Checks one subchannel's server certificates and remembers, in words, why the last one was rejected: which
/// address, which name was expected, which names the certificate has, whether it expired or is untrusted.
/// SslStream itself only says "the remote certificate was rejected".
/// </summary>
internal sealed class TlsConnectionValidator(TlsOptions options, BackendAddress address, string serverName, TimeProvider time)
{
    private volatile string? _lastFailure;

    public string ServerName => serverName;

    /// <summary>Configures the handler's TLS for this address.</summary>
    public void Apply(SocketsHttpHandler handler)
    {
        // SocketsHttpHandler takes the TLS name (SNI and verification) from the request's Host header, or the URI
        // host; it overrides SslOptions.TargetHost. The subchannel therefore sends Host = serverName when they differ.
        var ssl = handler.SslOptions;
        ssl.RemoteCertificateValidationCallback = Validate;
        if (options.EnabledProtocols is { } protocols)
        {
            ssl.EnabledSslProtocols = protocols;
        }

        if (options.TrustedRoots is { } roots)
        {
            var policy = new X509ChainPolicy
            {
                TrustMode = X509ChainTrustMode.CustomRootTrust,
                RevocationMode = X509RevocationMode.NoCheck,
            };
            policy.CustomTrustStore.AddRange(roots);
            ssl.CertificateChainPolicy = policy;
        }

        if (options.ClientCertificate is { } client)
        {
            ssl.ClientCertificates = [client];
            ssl.LocalCertificateSelectionCallback = (_, _, _, _, _) => client;
        }
    }

    /// <summary>The precise reason a connection to this address failed TLS, or null when the failure was not TLS.</summary>
    public string? Describe(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is AuthenticationException auth)
            {
                return _lastFailure ?? $"TLS handshake with {address} (server name '{serverName}') failed: {auth.Message}";
            }
        }

        return null;
    }

    private bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (certificate is null)
        {
            return Reject("the server presented no certificate");
        }

        using var owned = certificate as X509Certificate2 is null ? new X509Certificate2(certificate) : null;
        var cert = owned ?? (X509Certificate2)certificate;
        var names = DnsNames(cert);
        var problems = new List<string>();
        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            problems.Add("the server presented no certificate");
        }

        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
        {
            problems.Add($"certificate is valid for {string.Join(", ", names)}, not {serverName}");
        }

        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateChainErrors))
        {
            problems.Add(DescribeChain(cert, chain, names));
        }

        if (problems.Count == 0 && options.ValidateServerCertificate is { } hook)
        {
            var reason = hook(new ServerCertificateContext(address, serverName, cert, chain, errors));
            if (reason is not null)
            {
                problems.Add(reason);
            }
        }

        if (problems.Count == 0)
        {
            _lastFailure = null;
            return true;
        }

        return Reject(string.Join("; ", problems));
    }

    private string DescribeChain(X509Certificate2 cert, X509Chain? chain, IReadOnlyList<string> names)
    {
        var subject = names.Count > 0 ? string.Join(", ", names) : cert.Subject;
        var now = time.GetUtcNow();
        var flags = chain?.ChainStatus.Aggregate(X509ChainStatusFlags.NoError, (all, s) => all | s.Status) ?? X509ChainStatusFlags.NoError;
        var parts = new List<string>();
        if (flags.HasFlag(X509ChainStatusFlags.NotTimeValid))
        {
            parts.Add(now > cert.NotAfter.ToUniversalTime()
                ? $"certificate for {subject} expired on {cert.NotAfter.ToUniversalTime().ToString("u", CultureInfo.InvariantCulture)}"
                : now < cert.NotBefore.ToUniversalTime()
                    ? $"certificate for {subject} is not valid before {cert.NotBefore.ToUniversalTime().ToString("u", CultureInfo.InvariantCulture)}"
                    : $"a certificate in the chain of {subject} is outside its validity period");
        }

        if ((flags & (X509ChainStatusFlags.UntrustedRoot | X509ChainStatusFlags.PartialChain)) != 0)
        {
            parts.Add($"certificate for {subject} is not trusted: issued by '{cert.Issuer}', which does not chain to a trusted root"
                + (options.TrustedRoots is null ? " (system roots)" : " (the configured CA bundle)"));
        }

        var other = flags & ~(X509ChainStatusFlags.NotTimeValid | X509ChainStatusFlags.UntrustedRoot | X509ChainStatusFlags.PartialChain);
        if (other != X509ChainStatusFlags.NoError || parts.Count == 0)
        {
            parts.Add($"certificate chain of {subject} is invalid ({other})");
        }

        return string.Join("; ", parts);
    }

    private bool Reject(string problem)
    {
        _lastFailure = $"TLS handshake with {address} (server name '{serverName}') failed: {problem}";
        return false;
    }

    private static IReadOnlyList<string> DnsNames(X509Certificate2 cert)
    {
        var names = new List<string>();
        foreach (var extension in cert.Extensions)
        {
            if (extension is X509SubjectAlternativeNameExtension san)
            {
                names.AddRange(san.EnumerateDnsNames());
            }
        }

        if (names.Count == 0)
        {
            var cn = cert.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
            if (!string.IsNullOrEmpty(cn))
            {
                names.Add(cn);
            }
        }

        return names;
    }
}
