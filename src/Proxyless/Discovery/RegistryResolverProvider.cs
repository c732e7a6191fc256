using Microsoft.Extensions.Logging;
using Proxyless.Configuration;
using Proxyless.Resolution;

namespace Proxyless.Discovery;

/// <summary>
/// Resolves <c>scheme:///service-name</c> through a registry: follows <see cref="IServiceDiscovery.WatchAsync"/> and
/// turns each instance endpoint into a <see cref="BackendEndpoint"/>. Metadata become attributes: <c>weight</c> (for
/// weighted policies), the instance itself, and <c>serverName</c> as each address's TLS name. Instances are ordered by
/// id so every client sees the same order.
/// </summary>
/// <param name="scheme">The scheme, e.g. <c>registry</c> or <c>etcd</c>.</param>
/// <param name="discovery">The registry to read.</param>
public sealed class RegistryResolverProvider(string scheme, IServiceDiscovery discovery) : ResolverProvider
{
    /// <inheritdoc />
    public override string Scheme { get; } = scheme;

    /// <inheritdoc />
    public override Resolver CreateResolver(ResolverTarget target, ResolverOptions options)
    {
        var name = target.Endpoint.Trim('/');
        if (name.Length == 0 || name.Contains('/', StringComparison.Ordinal))
        {
            throw new ArgumentException($"Target '{target}' must name one service: '{Scheme}:///service-name'.");
        }

        return new WatchingResolver(name, discovery, options);
    }

    /// <inheritdoc />
    public override string GetDefaultAuthority(ResolverTarget target) => target.Endpoint.Trim('/');

    /// <summary>Turns instances into endpoints (one per instance endpoint), in id order.</summary>
    /// <param name="instances">The instances.</param>
    public static IReadOnlyList<BackendEndpoint> ToEndpoints(IEnumerable<ServiceInstance> instances)
    {
        var endpoints = new List<BackendEndpoint>();
        foreach (var instance in instances.OrderBy(i => i.Id, StringComparer.Ordinal))
        {
            var attributes = Attributes.Empty.With(InstanceMetadata.InstanceAttribute, instance);
            if (instance.Metadata.TryGetValue(InstanceMetadata.Weight, out var w) && int.TryParse(w, out var weight) && weight > 0)
            {
                attributes = attributes.With(InstanceMetadata.WeightAttribute, weight);
            }

            var addressAttributes = instance.Metadata.TryGetValue(InstanceMetadata.ServerName, out var serverName) && serverName.Length > 0
                ? Attributes.Empty.With(AddressAttributes.ServerName, serverName)
                : null;
            foreach (var endpoint in instance.Endpoints)
            {
                var addresses = endpoint.Addresses
                    .Select(a => RegistryAddress.TryParse(a, out var ep) ? new BackendAddress(ep, addressAttributes) : null)
                    .OfType<BackendAddress>()
                    .ToArray();
                if (addresses.Length > 0)
                {
                    endpoints.Add(new BackendEndpoint(addresses, attributes));
                }
            }
        }

        return endpoints;
    }

    private sealed class WatchingResolver(string serviceName, IServiceDiscovery discovery, ResolverOptions options) : Resolver
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly ILogger _logger = options.LoggerFactory.CreateLogger<RegistryResolverProvider>();

        public override void Start(Action<ResolverResult> listener) => _ = RunAsync(listener);

        protected override void Dispose(bool disposing)
        {
            _stop.Cancel();
            base.Dispose(disposing);
        }

        private async Task RunAsync(Action<ResolverResult> listener)
        {
            var backoff = new ExponentialBackoff(new BackoffOptions());
            var reported = false;
            while (!_stop.IsCancellationRequested)
            {
                try
                {
                    await foreach (var instances in discovery.WatchAsync(serviceName, _stop.Token).ConfigureAwait(false))
                    {
                        backoff.Reset();
                        reported = true;
                        listener(ResolverResult.ForEndpoints(ToEndpoints(instances)));
                    }
                }
                catch (OperationCanceledException) when (_stop.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception ex)
                {
                    // Keep the last endpoints; only a channel that never had any learns of the failure.
                    DiscoveryLog.RegistryWatchFailed(_logger, serviceName, ex.Message);
                    if (!reported)
                    {
                        listener(ResolverResult.ForFailure(new Status(StatusCode.Unavailable, $"registry lookup of '{serviceName}' failed: {ex.Message}", ex)));
                    }
                }

                try
                {
                    await Task.Delay(backoff.NextDelay(), options.TimeProvider, _stop.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }
}
