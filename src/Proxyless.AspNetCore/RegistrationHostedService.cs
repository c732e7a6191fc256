using Grpc.Health.V1;
using Grpc.HealthCheck;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Proxyless.Discovery;

namespace Proxyless.AspNetCore;

/// <summary>
/// Registers the server once Kestrel has started (with the addresses it really bound, random ports included) and
/// marks health SERVING; on shutdown marks NOT_SERVING, drains, then deregisters, all before Kestrel stops. When the
/// registry cannot be reached the server keeps serving and registration is retried with backoff (each new error
/// logged once) until it succeeds; only a registration that cannot work (a bad name) fails startup.
/// </summary>
internal sealed class RegistrationHostedService(
    IServer server,
    IServiceRegistrar registrar,
    HealthServiceImpl health,
    IOptions<ProxylessRegistrationOptions> options,
    ILogger<RegistrationHostedService> logger) : IHostedLifecycleService
{
    private readonly CancellationTokenSource _stopping = new();
    private ServiceInstance? _instance;
    private Task _registering = Task.CompletedTask;
    private volatile bool _registered;

    /// <summary>The instance this server registers (null before start).</summary>
    public ServiceInstance? Instance => _instance;

    /// <summary>True once the registry has accepted the registration.</summary>
    public bool IsRegistered => _registered;

    /// <summary>The serving state this server publishes: SERVING from start until the drain begins.</summary>
    public HealthCheckResponse.Types.ServingStatus ServingStatus { get; private set; } = HealthCheckResponse.Types.ServingStatus.NotServing;

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
        SetHealth(HealthCheckResponse.Types.ServingStatus.Serving);
        try
        {
            await registrar.RegisterAsync(_instance, cancellationToken).ConfigureAwait(false);
            _registered = true;
            RegistrationLog.Registered(logger, _instance);
        }
        catch (ArgumentException)
        {
            throw; // the registration itself is wrong (a name the registry rejects): retrying cannot help
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            _registering = KeepRegisteringAsync(_instance, ex, _stopping.Token);
        }
    }

    // The registry was unreachable at start: serve anyway and register as soon as it answers.
    private async Task KeepRegisteringAsync(ServiceInstance instance, Exception first, CancellationToken cancellationToken)
    {
        var backoff = new Configuration.ExponentialBackoff(new Configuration.BackoffOptions { MaxBackoff = TimeSpan.FromSeconds(30) });
        string? lastError = null;
        var error = first;
        for (var attempt = 2; ; attempt++)
        {
            var delay = backoff.NextDelay();
            if (error.Message != lastError)
            {
                lastError = error.Message;
                RegistrationLog.RegisterFailed(logger, instance.Id, error.Message, delay);
            }

            try
            {
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                await registrar.RegisterAsync(instance, cancellationToken).ConfigureAwait(false);
                _registered = true;
                RegistrationLog.RegisteredAfterRetries(logger, instance, attempt);
                return;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                error = ex;
            }
        }
    }

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _registering.ConfigureAwait(false);
        if (_instance is null)
        {
            return;
        }

        SetHealth(HealthCheckResponse.Types.ServingStatus.NotServing);
        if (!_registered)
        {
            return; // never reached the registry: nothing to drain from it or remove
        }

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

    // Published at once to the gRPC health service (the same singleton Grpc.AspNetCore.HealthChecks uses), and through
    // the ASP.NET Core health check RegistrationHealthCheck, so either way of serving grpc.health.v1 agrees.
    private void SetHealth(HealthCheckResponse.Types.ServingStatus status)
    {
        ServingStatus = status;
        health.SetStatus("", status);
        health.SetStatus(options.Value.HealthServiceName ?? options.Value.ServiceName, status);
    }
}
