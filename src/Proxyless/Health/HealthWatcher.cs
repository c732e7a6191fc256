using Grpc.Health.V1;
using Microsoft.Extensions.Logging;
using Proxyless.Configuration;

namespace Proxyless.Health;

/// <summary>
/// Client-side health checking (gRFC A17) for one subchannel: runs <c>grpc.health.v1.Health/Watch</c> over the
/// subchannel's own connection and reports each status. UNIMPLEMENTED means the server has no health service: it
/// counts as healthy and is logged once. A broken stream is retried with backoff; the last status stays in force
/// meanwhile.
/// </summary>
internal static class HealthWatcher
{
    /// <summary>Watches until <paramref name="cancellationToken"/> fires.</summary>
    /// <param name="invoker">Calls over the subchannel's connection.</param>
    /// <param name="serviceName">The service to watch ("" for the whole server).</param>
    /// <param name="peer">The address, for messages.</param>
    /// <param name="report">Told (healthy, reason) on every change.</param>
    /// <param name="logger">Logging.</param>
    /// <param name="cancellationToken">Stops watching.</param>
    public static async Task RunAsync(CallInvoker invoker, string serviceName, string peer, Action<bool, Status> report, ILogger logger, CancellationToken cancellationToken)
    {
        var client = new Grpc.Health.V1.Health.HealthClient(invoker);
        var backoff = new ExponentialBackoff(new BackoffOptions { MaxBackoff = TimeSpan.FromSeconds(30) });
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                using var call = client.Watch(new HealthCheckRequest { Service = serviceName }, cancellationToken: cancellationToken);
                await foreach (var response in call.ResponseStream.ReadAllAsync(cancellationToken).ConfigureAwait(false))
                {
                    backoff.Reset();
                    var serving = response.Status == HealthCheckResponse.Types.ServingStatus.Serving;
                    report(serving, serving
                        ? Status.DefaultSuccess
                        : new Status(StatusCode.Unavailable, $"health check of {peer}: service '{serviceName}' is {Describe(response.Status)}"));
                }
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.Unimplemented && !cancellationToken.IsCancellationRequested)
            {
                HealthLog.Unimplemented(logger, peer, serviceName);
                report(true, Status.DefaultSuccess);
                return;
            }
            catch (Exception) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is RpcException or IOException or HttpRequestException)
            {
                HealthLog.WatchBroken(logger, peer, ex.Message);
            }

            try
            {
                await Task.Delay(backoff.NextDelay(), cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private static string Describe(HealthCheckResponse.Types.ServingStatus status) => status switch
    {
        HealthCheckResponse.Types.ServingStatus.NotServing => "NOT_SERVING",
        HealthCheckResponse.Types.ServingStatus.ServiceUnknown => "SERVICE_UNKNOWN (not known to the server)",
        _ => "UNKNOWN",
    };
}
