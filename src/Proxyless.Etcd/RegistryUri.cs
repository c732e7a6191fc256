using Proxyless.Discovery;

namespace Proxyless.Etcd;

/// <summary>
/// Registry URIs as tools and examples take them: <c>file</c> (the file registry in its default directory),
/// <c>file:/some/dir</c>, or <c>etcd://host:port[,host:port...]</c>.
/// </summary>
public static class RegistryUri
{
    /// <summary>Opens the registry a URI names.</summary>
    /// <param name="uri">The URI.</param>
    /// <exception cref="ArgumentException">The URI is none of the forms above.</exception>
    public static OpenedRegistry Open(string uri)
    {
        ArgumentException.ThrowIfNullOrEmpty(uri);
        if (IsEtcd(uri))
        {
            var etcd = new EtcdRegistry(EtcdRegistryOptions.FromUri(uri));
            return new OpenedRegistry(etcd, etcd, "etcd", etcd);
        }

        var file = new FileRegistry(FileOptions(uri));
        return new OpenedRegistry(file, file, "registry", file);
    }

    /// <summary>Whether the URI names etcd.</summary>
    /// <param name="uri">The URI.</param>
    public static bool IsEtcd(string uri) => uri.StartsWith("etcd://", StringComparison.OrdinalIgnoreCase);

    /// <summary>The file registry options a <c>file</c> or <c>file:/dir</c> URI names.</summary>
    /// <param name="uri">The URI.</param>
    public static FileRegistryOptions FileOptions(string uri)
        => uri == "file" ? new FileRegistryOptions()
            : uri.StartsWith("file:", StringComparison.OrdinalIgnoreCase) && uri.Length > "file:".Length ? new FileRegistryOptions { Directory = uri["file:".Length..] }
            : throw new ArgumentException($"Registry '{uri}' is not 'file', 'file:/dir' or 'etcd://host:port'.", nameof(uri));
}
