using Grpc.Health.V1;
using Grpc.HealthCheck;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Proxyless.Registry;

namespace Proxyless.AspNetCore;

/// <summary>
/// Registers the server once Kestrel has started (with the addresses it really bound, random ports included) and
/// marks health SERVING; on shutdown marks NOT_SERVING, drains, then deregisters, all before Kestrel stops.
/// </summary>
internal sealed class RegistrationHostedService(
    IServer server,
    IServiceRegistrar registrar,
    HealthServiceImpl health,
    IOptions<ProxylessRegistrationOptions> options,
    ILogger<RegistrationHostedService> logger) : IHostedLifecycleService
{
    private ServiceInstance? _instance;

    /// <summary>The registered instance (null before start).</summary>
    public ServiceInstance? Instance => _instance;

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StartedAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        if (string.IsNullOrWhiteSpace(o.ServiceName))
        {
            throw new InvalidOperationException("ProxylessRegistrationOptions.ServiceName is required.");
        }

        var urls = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        var endpoints = AdvertisedAddresses.FromServerAddresses(urls, o.AdvertisedHost);
        if (endpoints.Count == 0)
        {
            throw new InvalidOperationException($"The server reports no bound addresses to register ({string.Join(", ", urls)}).");
        }

        var metadata = new Dictionary<string, string>(o.Metadata, StringComparer.Ordinal);
        metadata.TryAdd(InstanceMetadata.Protocol, urls.Any(u => u.StartsWith("https:", StringComparison.OrdinalIgnoreCase)) ? "grpcs" : "grpc");
        _instance = new ServiceInstance(o.ServiceName, o.Version, o.InstanceId ?? $"{o.ServiceName}-{Guid.NewGuid():N}"[..(o.ServiceName.Length + 9)], endpoints, metadata);
        await registrar.RegisterAsync(_instance, cancellationToken).ConfigureAwait(false);
        SetHealth(HealthCheckResponse.Types.ServingStatus.Serving);
        RegistrationLog.Registered(logger, _instance);
    }

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        if (_instance is null)
        {
            return;
        }

        SetHealth(HealthCheckResponse.Types.ServingStatus.NotServing);
        RegistrationLog.Draining(logger, options.Value.DrainPeriod, _instance.Id);
        try
        {
            await Task.Delay(options.Value.DrainPeriod, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Shutdown timeout reached: deregister now.
        }

        try
        {
            await registrar.DeregisterAsync(_instance, CancellationToken.None).ConfigureAwait(false);
            RegistrationLog.Deregistered(logger, _instance.Id);
        }
        catch (Exception ex)
        {
            RegistrationLog.DeregisterFailed(logger, ex, _instance.Id);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private void SetHealth(HealthCheckResponse.Types.ServingStatus status)
    {
        health.SetStatus("", status);
        health.SetStatus(options.Value.HealthServiceName ?? options.Value.ServiceName, status);
    }
}
