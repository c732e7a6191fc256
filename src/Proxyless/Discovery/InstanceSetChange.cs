namespace Proxyless.Discovery;

/// <summary>
/// Tells whether a service's instance list differs from the last one published, field by field (as the registry
/// writes them), so a watcher publishes only real changes.
/// </summary>
internal sealed class InstanceSetChange
{
    private string? _last;

    /// <summary>Whether the last list seen had any instance.</summary>
    public bool HadInstances => _last is { Length: > 0 };

    /// <summary>True, and remembers it, when <paramref name="instances"/> differs from the last list seen.</summary>
    public bool IsNew(IReadOnlyList<ServiceInstance> instances)
    {
        var fingerprint = string.Join("\n", instances.Select(i => ServiceInstanceJson.Write(i)));
        if (fingerprint == _last)
        {
            return false;
        }

        _last = fingerprint;
        return true;
    }
}
