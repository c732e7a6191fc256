using Grpc.AspNetCore.HealthChecks;
using Grpc.HealthCheck;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the one gRPC health service a Proxyless server needs.</summary>
public static class ProxylessHealthEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps <c>grpc.health.v1.Health</c> once: Grpc.AspNetCore.HealthChecks' service when <c>AddGrpcHealthChecks</c> was
    /// called (it then reports every ASP.NET Core health check, the registration's serving state among them), else
    /// Grpc.HealthCheck's <c>HealthServiceImpl</c>, which the registration sets directly. Mapping both services makes
    /// every health call fail with an ambiguous route; this chooses for you.
    /// </summary>
    /// <param name="endpoints">The app's endpoints.</param>
    /// <returns>The convention builder of the mapped service.</returns>
    public static GrpcServiceEndpointConventionBuilder MapProxylessHealthService(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var grpcHealthChecks = endpoints.ServiceProvider.GetRequiredService<IOptions<GrpcHealthChecksOptions>>().Value;
        return grpcHealthChecks.Services.Any(m => m.Name.Length == 0)
            ? endpoints.MapGrpcHealthChecksService()
            : endpoints.MapGrpcService<HealthServiceImpl>();
    }
}
