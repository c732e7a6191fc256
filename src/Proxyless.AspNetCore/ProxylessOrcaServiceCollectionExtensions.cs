using Grpc.AspNetCore.Server;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Proxyless.AspNetCore.Orca;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Server-side ORCA: load reports in every response's trailers.</summary>
public static class ProxylessOrcaServiceCollectionExtensions
{
    /// <summary>
    /// Adds an <see cref="OrcaMetricsRecorder"/> (inject it to set CPU, QPS, EPS and named metrics) and an interceptor
    /// that puts its report in the <c>endpoint-load-metrics-bin</c> trailer of every gRPC response, for clients using
    /// weighted_round_robin. QPS and EPS are measured from the calls answered unless set.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Adjusts the recorder (e.g. <c>MeasureCpu = true</c>).</param>
    public static IServiceCollection AddProxylessOrca(this IServiceCollection services, Action<OrcaMetricsRecorder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var recorder = new OrcaMetricsRecorder();
        configure?.Invoke(recorder);
        services.TryAddSingleton(recorder);
        services.Configure<GrpcServiceOptions>(o => o.Interceptors.Add<OrcaServerInterceptor>());
        return services;
    }
}
