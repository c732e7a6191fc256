using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.ServiceDiscovery;
using Proxyless.Discovery;
using Proxyless.Resolution;
using Proxyless.ServiceDiscovery;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Proxyless and Microsoft.Extensions.ServiceDiscovery (.NET Aspire), both ways.</summary>
public static class ProxylessServiceDiscoveryExtensions
{
    /// <summary>
    /// Lets channels resolve targets written the Aspire way through the app's service discovery: <c>https+http://greeter</c>,
    /// <c>http+https://greeter</c>, <c>http://greeter</c> and <c>https://greeter</c> go to the registered
    /// <see cref="ServiceEndpointResolver"/> (its configuration provider, and any provider the app added) and follow its
    /// change tokens. Calls <c>AddServiceDiscoveryCore()</c>; add providers as usual (<c>AddConfigurationServiceEndpointProvider()</c>,
    /// or <c>AddServiceDiscovery()</c> for the defaults). Channels see it when created with
    /// <see cref="Proxyless.BalancedChannelOptions.ServiceProvider"/> set, as <c>UseProxyless</c> and <c>AddProxylessChannel</c> do.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddProxylessServiceDiscovery(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddServiceDiscoveryCore();
        foreach (var scheme in new[] { "https+http", "http+https", "http", "https" })
        {
            services.AddSingleton<ResolverProvider>(sp => new ServiceEndpointResolverProvider(scheme, sp.GetRequiredService<ServiceEndpointResolver>()));
        }

        return services;
    }

    /// <summary>
    /// Adds the <see cref="IServiceDiscovery"/> registry in the container (the file registry, etcd) as an endpoint provider
    /// of Microsoft.Extensions.ServiceDiscovery, so <c>HttpClient</c> and YARP users of service discovery see the same
    /// instances Proxyless clients see, and hear when they change.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddProxylessServiceEndpointProvider(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddServiceDiscoveryCore();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IServiceEndpointProviderFactory, RegistryServiceEndpointProviderFactory>());
        return services;
    }
}
