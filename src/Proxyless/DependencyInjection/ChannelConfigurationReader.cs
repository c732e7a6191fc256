using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Configuration;
using Proxyless.Configuration;
using Proxyless.Transport;

namespace Proxyless.DependencyInjection;

/// <summary>
/// Reads a channel from configuration (appsettings.json): <c>Target</c> (required), <c>Authority</c>,
/// <c>ServiceConfig</c> (gRPC's service config written as a JSON object, or as a JSON string), <c>Connection</c>
/// (<see cref="ConnectionOptions"/>: keepalive, backoff) and <c>Tls</c> (<c>ServerName</c>, <c>TrustedRootsPemFile</c>,
/// <c>ClientCertificatePemFile</c>, <c>ClientKeyPemFile</c>). Every error names the configuration key that is wrong,
/// including unknown keys (a misspelt key never silently becomes a default).
/// </summary>
internal static class ChannelConfigurationReader
{
    private static readonly string[] Keys = ["Target", "Authority", "ServiceConfig", "Connection", "Tls"];
    private static readonly string[] TlsKeys = ["ServerName", "TrustedRootsPemFile", "ClientCertificatePemFile", "ClientKeyPemFile"];

    /// <summary>The target and options the section describes.</summary>
    /// <exception cref="InvalidOperationException">The section is invalid; the message starts with the key's path.</exception>
    public static (string Target, BalancedChannelOptions Options) Read(IConfigurationSection section)
    {
        RejectUnknown(section, Keys);
        var target = section["Target"];
        if (string.IsNullOrWhiteSpace(target))
        {
            throw Error(section, "Target", "is required (a gRPC target such as dns:///greeter:5000)");
        }

        var options = new BalancedChannelOptions { Authority = section["Authority"], ServiceConfig = ReadServiceConfig(section) };
        var connection = section.GetSection("Connection");
        if (connection.Exists())
        {
            try
            {
                connection.Bind(options.Connection, o => o.ErrorOnUnknownConfiguration = true);
                options.Connection.Validate();
            }
            catch (Exception ex) when (ex is InvalidOperationException or ArgumentException)
            {
                throw Error(section, "Connection", ex.Message);
            }
        }

        var tls = section.GetSection("Tls");
        if (tls.Exists())
        {
            options.Tls = ReadTls(section, tls);
        }

        return (target, options);
    }

    /// <summary>The service config as JSON text (null when the section has none), validated.</summary>
    /// <exception cref="InvalidOperationException">It is not a valid service config; the message names the key and the field.</exception>
    public static string? ReadServiceConfig(IConfigurationSection section)
    {
        var config = section.GetSection("ServiceConfig");
        if (!config.Exists())
        {
            return null;
        }

        var json = config.Value is { Length: > 0 } text ? text : ConfigurationJson.ToJson(config);
        try
        {
            ServiceConfig.Parse(json);
        }
        catch (ServiceConfigException ex)
        {
            throw Error(section, "ServiceConfig", ex.Message);
        }

        return json;
    }

    private static TlsOptions ReadTls(IConfigurationSection channel, IConfigurationSection tls)
    {
        RejectUnknown(tls, TlsKeys);
        var options = new TlsOptions { ServerNameOverride = tls["ServerName"] };
        try
        {
            if (tls["TrustedRootsPemFile"] is { Length: > 0 } roots)
            {
                var collection = new X509Certificate2Collection();
                collection.ImportFromPemFile(roots);
                options.TrustedRoots = collection;
            }

            if (tls["ClientCertificatePemFile"] is { Length: > 0 } certificate)
            {
                options.ClientCertificate = X509Certificate2.CreateFromPemFile(certificate, tls["ClientKeyPemFile"]);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            throw Error(channel, "Tls", ex.Message);
        }

        return options;
    }

    private static void RejectUnknown(IConfigurationSection section, string[] known)
    {
        foreach (var child in section.GetChildren())
        {
            if (!known.Contains(child.Key, StringComparer.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException($"{child.Path}: unknown key (expected {string.Join(", ", known)}).");
            }
        }
    }

    private static InvalidOperationException Error(IConfigurationSection section, string key, string problem)
        => new($"{ConfigurationPath.Combine(section.Path, key)}: {problem}");
}
