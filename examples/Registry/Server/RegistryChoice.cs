using Proxyless.Etcd;
using Proxyless.Resolution;

namespace Registry.Server;

/// <summary>
/// The example's <c>--registry</c> option: <c>file</c> (the default: the file registry in its default directory),
/// <c>file:/some/dir</c>, or <c>etcd://host:port[,host:port]</c> (parsed by <see cref="RegistryUri"/>).
/// </summary>
public sealed record RegistryChoice(string Uri)
{
    /// <summary>The resolver scheme clients use with this registry.</summary>
    public string Scheme => RegistryUri.IsEtcd(Uri) ? "etcd" : "registry";

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
        if (RegistryUri.IsEtcd(Uri))
        {
            services.AddProxylessEtcdRegistry(EtcdRegistryOptions.FromUri(Uri));
        }
        else
        {
            services.AddProxylessFileRegistry(RegistryUri.FileOptions(Uri));
        }
    }

    /// <summary>Opens the chosen registry (client side) and the resolver provider for its scheme.</summary>
    public (IAsyncDisposable Registry, ResolverProvider Resolver) CreateDiscovery()
    {
        var opened = RegistryUri.Open(Uri);
        return (opened, opened.CreateResolverProvider());
    }
}
