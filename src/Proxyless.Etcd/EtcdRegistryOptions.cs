using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Proxyless.Etcd;

/// <summary>Options of <see cref="EtcdRegistry"/>.</summary>
public sealed class EtcdRegistryOptions
{
    /// <summary>etcd client URLs, e.g. <c>http://127.0.0.1:2379</c> (several for a cluster).</summary>
    public IList<string> Endpoints { get; } = new List<string>();

    /// <summary>The namespace part of keys: <c>/services/&lt;namespace&gt;/&lt;name&gt;/&lt;version&gt;/&lt;id&gt;</c>.</summary>
    public string Namespace { get; set; } = "default";

    /// <summary>The lease time-to-live of registrations; an instance that stops renewing disappears after it.</summary>
    public TimeSpan LeaseTtl { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Deadline of single etcd requests (get, put, delete, lease grant).</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Logging.</summary>
    public ILoggerFactory LoggerFactory { get; set; } = NullLoggerFactory.Instance;

    /// <summary>Parses <c>etcd://host:port[,host:port]</c> (as the examples' <c>--registry</c> option takes it) into options.</summary>
    /// <param name="uri">The registry URI.</param>
    public static EtcdRegistryOptions FromUri(string uri)
    {
        ArgumentException.ThrowIfNullOrEmpty(uri);
        const string prefix = "etcd://";
        if (!uri.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) || uri.Length == prefix.Length)
        {
            throw new ArgumentException($"'{uri}' is not an etcd registry URI; expected etcd://host:port[,host:port...].", nameof(uri));
        }

        var options = new EtcdRegistryOptions();
        foreach (var hostPort in uri[prefix.Length..].TrimEnd('/').Split(','))
        {
            options.Endpoints.Add("http://" + hostPort);
        }

        return options;
    }
}
