using Grpc.HealthCheck;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Proxyless.AspNetCore;
using Proxyless.Discovery;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Server-side registration for ASP.NET Core gRPC services.</summary>
public static class ProxylessAspNetCoreServiceCollectionExtensions
{
    /// <summary>
    /// Registers this server in a registry once Kestrel has started, with the addresses it actually bound; marks
    /// <c>grpc.health.v1</c> SERVING; on shutdown marks NOT_SERVING, waits <see cref="ProxylessRegistrationOptions.DrainPeriod"/>
    /// and deregisters. Uses the <see cref="IServiceRegistrar"/> in the container, or a <see cref="FileRegistry"/>
    /// in the default directory when there is none. Map the health service with
    /// <c>app.MapGrpcService&lt;HealthServiceImpl&gt;()</c> so clients can check it.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Sets the service name, version, metadata.</param>
    public static IServiceCollection AddProxylessRegistration(this IServiceCollection services, Action<ProxylessRegistrationOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.Configure(configure);
        services.TryAddSingleton<HealthServiceImpl>();
        services.TryAddSingleton<IServiceRegistrar>(sp => new FileRegistry(null, sp.GetService<Microsoft.Extensions.Logging.ILoggerFactory>()));
        services.AddSingleton<RegistrationHostedService>();
        services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<RegistrationHostedService>());
        return services;
    }

    /// <summary>Uses a <see cref="FileRegistry"/> (same machine, no server) for registration and discovery.</summary>
    /// <param name="services">The services.</param>
    /// <param name="options">Where and how; defaults when null.</param>
    public static IServiceCollection AddProxylessFileRegistry(this IServiceCollection services, FileRegistryOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSingleton(sp => new FileRegistry(options ?? new FileRegistryOptions(), sp.GetService<Microsoft.Extensions.Logging.ILoggerFactory>()));
        services.AddSingleton<IServiceRegistrar>(sp => sp.GetRequiredService<FileRegistry>());
        services.AddSingleton<IServiceDiscovery>(sp => sp.GetRequiredService<FileRegistry>());
        return services;
    }
}
