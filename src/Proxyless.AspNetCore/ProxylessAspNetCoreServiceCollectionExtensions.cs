using Grpc.AspNetCore.HealthChecks;
using Grpc.HealthCheck;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
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
    /// in the default directory when there is none. The serving state is also an ASP.NET Core health check
    /// (<c>proxyless-registration</c>), so with Grpc.AspNetCore.HealthChecks (<c>AddGrpcHealthChecks</c>) one gRPC
    /// health service reports it, for the whole server and for the registered service name. Map the health service once:
    /// <c>app.MapProxylessHealthService()</c> picks <c>MapGrpcHealthChecksService</c> when health checks are in use
    /// and Grpc.HealthCheck's <c>HealthServiceImpl</c> otherwise.
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
        services.AddHealthChecks().AddCheck<RegistrationHealthCheck>(RegistrationHealthCheck.Name);

        // With Grpc.AspNetCore.HealthChecks, the registered service name is answered too (from every health check).
        services.AddOptions<GrpcHealthChecksOptions>().Configure<IOptions<ProxylessRegistrationOptions>>((grpc, registration) =>
        {
            var name = registration.Value.HealthServiceName ?? registration.Value.ServiceName;
            if (name.Length > 0 && !grpc.Services.Any(m => m.Name == name))
            {
                grpc.Services.Map(name, _ => true);
            }
        });
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
