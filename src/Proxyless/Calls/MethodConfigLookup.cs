using System.Diagnostics.CodeAnalysis;

namespace Proxyless.Calls;

/// <summary>
/// gRPC's lookup of what a service config says about a method: the exact method, then its service, then the
/// channel-wide default (a name with no service). The first config that lists a name keeps it.
/// </summary>
/// <typeparam name="T">What is looked up for a method.</typeparam>
internal sealed class MethodConfigLookup<T>
{
    private readonly Dictionary<string, T> _exact = new(StringComparer.Ordinal); // "/service/method", as IMethod.FullName
    private readonly Dictionary<string, T> _services = new(StringComparer.Ordinal);
    private bool _hasDefault;
    private T? _default;

    /// <summary>Adds one name of a method config: service and method, service only, or neither (the default).</summary>
    public void Add(string? service, string? method, T value)
    {
        if (string.IsNullOrEmpty(service))
        {
            if (!_hasDefault)
            {
                (_hasDefault, _default) = (true, value);
            }
        }
        else if (string.IsNullOrEmpty(method))
        {
            _services.TryAdd(service, value);
        }
        else
        {
            _exact.TryAdd($"/{service}/{method}", value);
        }
    }

    /// <summary>Finds the value for a method, given its service and full name (<c>/service/method</c>).</summary>
    public bool TryFind(string serviceName, string fullName, [MaybeNullWhen(false)] out T value)
    {
        if ((_exact.Count > 0 && _exact.TryGetValue(fullName, out value)) || (_services.Count > 0 && _services.TryGetValue(serviceName, out value)))
        {
            return true;
        }

        value = _default;
        return _hasDefault;
    }
}
