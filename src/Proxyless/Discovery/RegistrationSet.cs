using System.Collections.Concurrent;

namespace Proxyless.Discovery;

/// <summary>
/// The registration lifecycle every registry shares: register (at most once per key; the first write must succeed,
/// then the upkeep starts), deregister, abandon everything (stop the upkeep, leave the entries, as a crashed process
/// would), and deregister everything on disposal. The registry supplies what is specific to it: the write, the upkeep
/// and the delete.
/// </summary>
internal sealed class RegistrationSet<T>
    where T : Registration
{
    private readonly ConcurrentDictionary<string, T> _registrations = new(StringComparer.Ordinal);

    /// <summary>Registers: writes the entry, then starts its upkeep; nothing is kept when the write fails.</summary>
    /// <exception cref="InvalidOperationException">The key is already registered here.</exception>
    public async Task AddAsync(T registration, Func<T, CancellationToken, Task> write, Func<T, Task> upkeep, CancellationToken cancellationToken)
    {
        if (!_registrations.TryAdd(registration.Key, registration))
        {
            throw new InvalidOperationException($"Instance '{registration.Instance.Id}' of '{registration.Instance.Name}' is already registered by this registry ({registration.Key}).");
        }

        try
        {
            await write(registration, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            _registrations.TryRemove(registration.Key, out _); // not registered: a retry starts afresh
            throw;
        }

        registration.Upkeep = upkeep(registration);
    }

    /// <summary>Whether <paramref name="key"/> is registered here.</summary>
    public bool Contains(string key) => _registrations.ContainsKey(key);

    /// <summary>Stops the upkeep of the registration under <paramref name="key"/> and returns it (null when none).</summary>
    public async Task<T?> RemoveAsync(string key)
    {
        if (!_registrations.TryRemove(key, out var registration))
        {
            return null;
        }

        await registration.StopAsync().ConfigureAwait(false);
        return registration;
    }

    /// <summary>Stops every upkeep; then, when given, runs <paramref name="delete"/> on each registration.</summary>
    public async Task RemoveAllAsync(Func<T, Task>? delete = null)
    {
        foreach (var key in _registrations.Keys.ToArray())
        {
            if (await RemoveAsync(key).ConfigureAwait(false) is { } registration && delete is not null)
            {
                await delete(registration).ConfigureAwait(false);
            }
        }
    }
}
