using Microsoft.Extensions.Primitives;
using Microsoft.Extensions.ServiceDiscovery;
using Proxyless.Discovery;

namespace Proxyless.ServiceDiscovery;

/// <summary>
/// Makes a Proxyless registry (the file registry, etcd) an endpoint provider of Microsoft.Extensions.ServiceDiscovery,
/// so <c>HttpClient</c> and YARP users of <c>AddServiceDiscovery()</c> see the instances Proxyless clients see: a query
/// for <c>http://greeter</c> lists the registry's <c>greeter</c> instances, and its change token fires when they change.
/// A service the registry does not know is left to the next provider.
/// </summary>
internal sealed class RegistryServiceEndpointProviderFactory(IServiceDiscovery registry) : IServiceEndpointProviderFactory
{
    public bool TryCreateProvider(ServiceEndpointQuery query, out IServiceEndpointProvider provider)
    {
        provider = new Provider(query.ServiceName, registry);
        return true;
    }

    private sealed class Provider(string serviceName, IServiceDiscovery registry) : IServiceEndpointProvider, IAsyncDisposable
    {
        private readonly CancellationTokenSource _disposed = new();
        private CancellationTokenSource? _watching;
        private CancellationTokenSource _changed = new();

        public async ValueTask PopulateAsync(IServiceEndpointBuilder endpoints, CancellationToken cancellationToken)
        {
            var instances = await registry.ListAsync(serviceName, cancellationToken).ConfigureAwait(false);
            foreach (var endpoint in RegistryResolverProvider.ToEndpoints(instances))
            {
                endpoints.Endpoints.Add(ServiceEndpoint.Create(endpoint.Addresses[0].EndPoint));
            }

            endpoints.AddChangeToken(new CancellationChangeToken(_changed.Token));
            StartWatching();
        }

        // The registry's watch cancels the current change token on every change after the first snapshot.
        private void StartWatching()
        {
            if (_watching is not null || _disposed.IsCancellationRequested)
            {
                return;
            }

            _watching = CancellationTokenSource.CreateLinkedTokenSource(_disposed.Token);
            _ = WatchAsync(_watching.Token);
        }

        private async Task WatchAsync(CancellationToken cancellationToken)
        {
            try
            {
                var first = true;
                await foreach (var _ in registry.WatchAsync(serviceName, cancellationToken).ConfigureAwait(false))
                {
                    if (!first)
                    {
                        var changed = Interlocked.Exchange(ref _changed, new CancellationTokenSource());
                        await changed.CancelAsync().ConfigureAwait(false);
                    }

                    first = false;
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
            }
        }

        public async ValueTask DisposeAsync() => await _disposed.CancelAsync().ConfigureAwait(false);
    }
}
