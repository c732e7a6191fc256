using System.Text.Json;

namespace Proxyless.Configuration;

/// <summary>
/// Records, while a config is parsed, every JSON object a <see cref="ConfigObject"/> wrapped and every field a parser
/// read from it, so that fields nobody read (typos, fields of another gRPC version) can be reported by path. gRPC
/// ignores unknown fields; reporting them keeps a typo from silently becoming a default. Parsing is synchronous, so
/// the scope is the current thread's; scopes nest.
/// </summary>
internal sealed class ConfigFieldTracker : IDisposable
{
    [ThreadStatic]
    private static ConfigFieldTracker? t_current;

    private readonly ConfigFieldTracker? _outer;
    private readonly Dictionary<string, (JsonElement Element, HashSet<string> Read)> _objects = new(StringComparer.Ordinal);

    private ConfigFieldTracker(ConfigFieldTracker? outer) => _outer = outer;

    /// <summary>Starts recording on this thread until the returned tracker is disposed.</summary>
    public static ConfigFieldTracker Begin() => t_current = new ConfigFieldTracker(t_current);

    /// <summary>The fields of every recorded object that were never read, as "path: ..." warnings.</summary>
    public IReadOnlyList<string> UnknownFields()
    {
        var warnings = new List<string>();
        foreach (var (path, (element, read)) in _objects)
        {
            foreach (var property in element.EnumerateObject())
            {
                if (!read.Contains(property.Name))
                {
                    var fieldPath = path.Length == 0 ? property.Name : $"{path}.{property.Name}";
                    warnings.Add($"{fieldPath} is not a known field and is ignored");
                }
            }
        }

        return warnings;
    }

    public void Dispose()
    {
        if (t_current == this)
        {
            t_current = _outer;
        }
    }

    internal static void OnObject(JsonElement element, string path)
    {
        if (t_current is { } tracker && element.ValueKind == JsonValueKind.Object && !tracker._objects.ContainsKey(path))
        {
            tracker._objects[path] = (element, new HashSet<string>(StringComparer.Ordinal));
        }
    }

    internal static void OnRead(string path, string key)
    {
        if (t_current is { } tracker && tracker._objects.TryGetValue(path, out var entry))
        {
            entry.Read.Add(key);
        }
    }
}
