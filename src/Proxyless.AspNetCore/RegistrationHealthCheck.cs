using Grpc.Health.V1;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Proxyless.AspNetCore;

/// <summary>
/// The registration's serving state as an ASP.NET Core health check: healthy while the server is registered to serve,
/// unhealthy before it starts and while it drains on shutdown. With Grpc.AspNetCore.HealthChecks
/// (<c>AddGrpcHealthChecks</c>, <c>MapGrpcHealthChecksService</c>) this is what the gRPC health service reports.
/// </summary>
internal sealed class RegistrationHealthCheck(RegistrationHostedService registration) : IHealthCheck
{
    /// <summary>The name the check is registered under.</summary>
    public const string Name = "proxyless-registration";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        => Task.FromResult(registration.ServingStatus == HealthCheckResponse.Types.ServingStatus.Serving
            ? HealthCheckResult.Healthy($"{registration.Instance?.Id} is serving")
            : HealthCheckResult.Unhealthy(registration.Instance is null ? "the server has not started serving" : $"{registration.Instance.Id} is draining"));
}
