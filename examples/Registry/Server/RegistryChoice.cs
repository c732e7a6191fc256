using Proxyless.Etcd;
using Proxyless.Registry;
using Proxyless.Resolution;

namespace Registry.Server;

/// <summary>
/// The example's <c>--registry</c> option: <c>file</c> (the default: the file registry in its default directory),
/// <c>file:/some/dir</c>, or <c>etcd://host:port[,host:port]</c>.
/// </summary>
public sealed record RegistryChoice(string Uri)
{
    /// <summary>The resolver scheme clients use with this registry.</summary>
    public string Scheme => IsEtcd ? "etcd" : "registry";

    private bool IsEtcd => Uri.StartsWith("etcd://", StringComparison.OrdinalIgnoreCase);

    /// <summary>Reads <c>--registry</c> from the arguments (default <c>file</c>).</summary>
    /// <param name="args">The command line.</param>
    public static RegistryChoice FromArgs(string[] args)
    {
        var i = Array.IndexOf(args, "--registry");
        return new RegistryChoice(i >= 0 && i + 1 < args.Length ? args[i + 1] : "file");
    }

    /// <summary>Adds the chosen registry to a service collection (server side).</summary>
    /// <param name="services">The services.</param>
    public void AddTo(IServiceCollection services)
    {
        if (IsEtcd)
        {
            services.AddProxylessEtcdRegistry(EtcdRegistryOptions.FromUri(Uri));
        }
        else
        {
            services.AddProxylessFileRegistry(FileOptions());
        }
    }

    /// <summary>Creates the chosen registry (client side) and the resolver provider for its scheme.</summary>
    public (IAsyncDisposable Registry, ResolverProvider Resolver) CreateDiscovery()
    {
        if (IsEtcd)
        {
            var etcd = new EtcdRegistry(EtcdRegistryOptions.FromUri(Uri));
            return (etcd, etcd.CreateResolverProvider(Scheme));
        }

        var file = new FileRegistry(FileOptions());
        return (file, new RegistryResolverProvider(Scheme, file));
    }

    private FileRegistryOptions FileOptions()
    {
        if (Uri == "file")
        {
            return new FileRegistryOptions();
        }

        if (Uri.StartsWith("file:", StringComparison.OrdinalIgnoreCase))
        {
            return new FileRegistryOptions { Directory = Uri["file:".Length..] };
        }

        throw new ArgumentException($"--registry '{Uri}' is not 'file', 'file:/dir' or 'etcd://host:port'.");
    }
}
