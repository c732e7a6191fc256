using Proxyless.Etcd;
using Proxyless.Discovery;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the etcd registry in a service collection.</summary>
public static class ProxylessEtcdServiceCollectionExtensions
{
    /// <summary>Uses etcd for registration (<see cref="IServiceRegistrar"/>) and discovery (<see cref="IServiceDiscovery"/>).</summary>
    /// <param name="services">The services.</param>
    /// <param name="options">The etcd endpoints, namespace and lease TTL.</param>
    public static IServiceCollection AddProxylessEtcdRegistry(this IServiceCollection services, EtcdRegistryOptions options)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        services.AddSingleton(sp => new EtcdRegistry(options, sp.GetService<Microsoft.Extensions.Logging.ILoggerFactory>()));
        services.AddSingleton<IServiceRegistrar>(sp => sp.GetRequiredService<EtcdRegistry>());
        services.AddSingleton<IServiceDiscovery>(sp => sp.GetRequiredService<EtcdRegistry>());
        return services;
    }
}
