using Google.Protobuf.WellKnownTypes;
using Proxyless.Xds.Resources;

namespace Proxyless.Xds.ControlPlane;

/// <summary>
/// The control plane's resources: by type URL and name, with one version per type that changes whenever any resource
/// of the type does. <see cref="Changed"/> tells every stream to compare versions.
/// </summary>
internal sealed class ResourceStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, (long Version, Dictionary<string, Any> Resources)> _types = [];

    /// <summary>Raised after any change, outside the lock.</summary>
    public event Action? Changed;

    /// <summary>Replaces every resource of the types in <paramref name="resources"/>'s, and of <paramref name="clearTypes"/>.</summary>
    public void Replace(IEnumerable<Any> resources, IEnumerable<string> clearTypes)
    {
        var byType = resources.GroupBy(r => r.TypeUrl).ToDictionary(g => g.Key, g => g.ToDictionary(NameOf, StringComparer.Ordinal));
        lock (_gate)
        {
            foreach (var type in clearTypes.Concat(byType.Keys).Distinct())
            {
                var version = _types.TryGetValue(type, out var current) ? current.Version : 0;
                _types[type] = (version + 1, byType.GetValueOrDefault(type) ?? []);
            }
        }

        Changed?.Invoke();
    }

    /// <summary>Adds or replaces one resource.</summary>
    public void Set(Any resource)
    {
        lock (_gate)
        {
            var (version, resources) = _types.GetValueOrDefault(resource.TypeUrl, (0, new Dictionary<string, Any>(StringComparer.Ordinal)));
            resources[NameOf(resource)] = resource;
            _types[resource.TypeUrl] = (version + 1, resources);
        }

        Changed?.Invoke();
    }

    /// <summary>Removes one resource; false when there was none.</summary>
    public bool Remove(string typeUrl, string name)
    {
        lock (_gate)
        {
            if (!_types.TryGetValue(typeUrl, out var entry) || !entry.Resources.Remove(name))
            {
                return false;
            }

            _types[typeUrl] = (entry.Version + 1, entry.Resources);
        }

        Changed?.Invoke();
        return true;
    }

    /// <summary>The type's version and its resources (all, or those named).</summary>
    public (string Version, List<Any> Resources) Get(string typeUrl, IReadOnlySet<string>? names)
    {
        lock (_gate)
        {
            if (!_types.TryGetValue(typeUrl, out var entry))
            {
                return ("0", []);
            }

            var selected = names is null
                ? entry.Resources.Values.ToList()
                : entry.Resources.Where(r => names.Contains(r.Key)).Select(r => r.Value).ToList();
            return (entry.Version.ToString(System.Globalization.CultureInfo.InvariantCulture), selected);
        }
    }

    /// <summary>The type's current version.</summary>
    public string Version(string typeUrl)
    {
        lock (_gate)
        {
            return (_types.TryGetValue(typeUrl, out var entry) ? entry.Version : 0).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    /// <summary>A resource's name, read as the client's decoder for its type reads it.</summary>
    public static string NameOf(Any resource)
        => XdsResourceTypes.Find(resource.TypeUrl) is { } type
            ? type.ReadName(resource.Value) ?? throw new ArgumentException($"the {resource.TypeUrl} resource cannot be parsed", nameof(resource))
            : throw new ArgumentException($"{resource.TypeUrl} is not an xDS resource type this control plane serves", nameof(resource));
}
