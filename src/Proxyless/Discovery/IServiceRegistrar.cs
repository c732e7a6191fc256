namespace Proxyless.Discovery;

/// <summary>Registers service instances in a registry and keeps them alive until deregistered.</summary>
public interface IServiceRegistrar
{
    /// <summary>
    /// Registers an instance and keeps its registration alive (heartbeats or a lease) until
    /// <see cref="DeregisterAsync"/>; if the registry loses it (restart, expired lease), it is registered again.
    /// </summary>
    /// <param name="instance">The instance.</param>
    /// <param name="cancellationToken">Cancels the initial registration.</param>
    Task RegisterAsync(ServiceInstance instance, CancellationToken cancellationToken = default);

    /// <summary>Removes an instance registered by this registrar.</summary>
    /// <param name="instance">The instance.</param>
    /// <param name="cancellationToken">Cancels the removal.</param>
    Task DeregisterAsync(ServiceInstance instance, CancellationToken cancellationToken = default);
}
