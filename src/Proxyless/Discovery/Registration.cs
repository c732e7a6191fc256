namespace Proxyless.Discovery;

/// <summary>
/// One instance a registry registered: its key in the registry (a file path, an etcd key) and the task that keeps it
/// registered (a heartbeat, a lease keep-alive) until <see cref="StopAsync"/>.
/// </summary>
internal class Registration(ServiceInstance instance, string key)
{
    public ServiceInstance Instance { get; } = instance;

    public string Key { get; } = key;

    /// <summary>Cancelled when the registration stops; the upkeep task watches it.</summary>
    public CancellationTokenSource Stopping { get; } = new();

    /// <summary>The task that keeps the registration alive, once started.</summary>
    public Task? Upkeep { get; set; }

    /// <summary>Stops the upkeep and waits for it to end.</summary>
    public async Task StopAsync()
    {
        await Stopping.CancelAsync().ConfigureAwait(false);
        if (Upkeep is not null)
        {
            await Upkeep.ConfigureAwait(false);
        }
    }
}
