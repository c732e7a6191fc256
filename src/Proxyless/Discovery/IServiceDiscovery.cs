namespace Proxyless.Discovery;

/// <summary>Finds the live instances of a service and follows changes.</summary>
public interface IServiceDiscovery
{
    /// <summary>The instances registered now (malformed and stale entries skipped).</summary>
    /// <param name="serviceName">The service name.</param>
    /// <param name="cancellationToken">Cancels the lookup.</param>
    Task<IReadOnlyList<ServiceInstance>> ListAsync(string serviceName, CancellationToken cancellationToken = default);

    /// <summary>
    /// Lists the instances and also the entries that were skipped, with the reason for each (for tools such as
    /// <c>proxyless registry list</c>). Registries that cannot tell return no skipped entries.
    /// </summary>
    /// <param name="serviceName">The service name.</param>
    /// <param name="cancellationToken">Cancels the lookup.</param>
    async Task<RegistryListing> InspectAsync(string serviceName, CancellationToken cancellationToken = default)
        => new(await ListAsync(serviceName, cancellationToken).ConfigureAwait(false), []);

    /// <summary>
    /// Yields the full list of live instances first and then after every change, until cancelled. When the registry
    /// cannot be reached it keeps retrying (the consumer keeps its last list) rather than ending or throwing.
    /// </summary>
    /// <param name="serviceName">The service name.</param>
    /// <param name="cancellationToken">Stops watching.</param>
    IAsyncEnumerable<IReadOnlyList<ServiceInstance>> WatchAsync(string serviceName, CancellationToken cancellationToken = default);
}
