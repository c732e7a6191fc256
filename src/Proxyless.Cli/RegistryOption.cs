using Proxyless.Etcd;
using Proxyless.Registry;
using Proxyless.Resolution;

namespace Proxyless.Cli;

/// <summary>Opens the registry named by <c>--registry</c>: <c>file</c>, <c>file:/dir</c> or <c>etcd://host:port</c>.</summary>
internal static class RegistryOption
{
    public static (IServiceDiscovery Discovery, IAsyncDisposable Owner, ResolverProvider Resolver) Open(string uri)
    {
        if (uri.StartsWith("etcd://", StringComparison.OrdinalIgnoreCase))
        {
            var etcd = new EtcdRegistry(EtcdRegistryOptions.FromUri(uri));
            return (etcd, etcd, etcd.CreateResolverProvider("etcd"));
        }

        var options = uri == "file" ? new FileRegistryOptions()
            : uri.StartsWith("file:", StringComparison.OrdinalIgnoreCase) ? new FileRegistryOptions { Directory = uri["file:".Length..] }
            : throw new ArgumentException($"--registry '{uri}' is not 'file', 'file:/dir' or 'etcd://host:port'.");
        var file = new FileRegistry(options);
        return (file, file, new RegistryResolverProvider("registry", file));
    }
}
