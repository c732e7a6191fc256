using Microsoft.Extensions.DependencyInjection.Extensions;
using Proxyless.Balancing;
using Proxyless.Resolution;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Registers custom policies and resolvers in a service collection. A channel created with
/// <see cref="Proxyless.BalancedChannelOptions.ServiceProvider"/> set uses the built-ins plus every provider
/// registered here (and the container's logger factory).
/// </summary>
public static class ProxylessServiceCollectionExtensions
{
    /// <summary>Registers a load-balancing policy provider (resolved from the container).</summary>
    /// <typeparam name="TProvider">The provider type.</typeparam>
    /// <param name="services">The services.</param>
    public static IServiceCollection AddProxylessLoadBalancer<TProvider>(this IServiceCollection services)
        where TProvider : LoadBalancerProvider
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<LoadBalancerProvider, TProvider>());
        return services;
    }

    /// <summary>Registers a load-balancing policy provider instance.</summary>
    /// <param name="services">The services.</param>
    /// <param name="provider">The provider.</param>
    public static IServiceCollection AddProxylessLoadBalancer(this IServiceCollection services, LoadBalancerProvider provider)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSingleton(provider);
        return services;
    }

    /// <summary>Registers a resolver provider (resolved from the container).</summary>
    /// <typeparam name="TProvider">The provider type.</typeparam>
    /// <param name="services">The services.</param>
    public static IServiceCollection AddProxylessResolver<TProvider>(this IServiceCollection services)
        where TProvider : ResolverProvider
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ResolverProvider, TProvider>());
        return services;
    }

    /// <summary>Registers a resolver provider instance.</summary>
    /// <param name="services">The services.</param>
    /// <param name="provider">The provider.</param>
    public static IServiceCollection AddProxylessResolver(this IServiceCollection services, ResolverProvider provider)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSingleton(provider);
        return services;
    }
}
