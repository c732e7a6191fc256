using System.Collections.Immutable;

namespace Proxyless.Resolution;

/// <summary>
/// An immutable set of typed values attached to an address, an endpoint or a resolver result
/// (for example the TLS server name or a weight from a registry entry).
/// </summary>
public sealed class Attributes
{
    private readonly ImmutableDictionary<object, object> _values;

    private Attributes(ImmutableDictionary<object, object> values) => _values = values;

    /// <summary>No attributes.</summary>
    public static Attributes Empty { get; } = new(ImmutableDictionary<object, object>.Empty);

    /// <summary>How many attributes are set.</summary>
    public int Count => _values.Count;

    /// <summary>Returns a copy with <paramref name="key"/> set to <paramref name="value"/>.</summary>
    /// <typeparam name="T">The value type.</typeparam>
    /// <param name="key">The key.</param>
    /// <param name="value">The value.</param>
    public Attributes With<T>(AttributeKey<T> key, T value) where T : notnull => new(_values.SetItem(key, value));

    /// <summary>Looks a value up.</summary>
    /// <typeparam name="T">The value type.</typeparam>
    /// <param name="key">The key.</param>
    /// <param name="value">The value when present.</param>
    public bool TryGetValue<T>(AttributeKey<T> key, out T value)
    {
        if (_values.TryGetValue(key, out var v))
        {
            value = (T)v;
            return true;
        }

        value = default!;
        return false;
    }

    /// <summary>Returns the value of <paramref name="key"/>, or <paramref name="defaultValue"/>.</summary>
    /// <typeparam name="T">The value type.</typeparam>
    /// <param name="key">The key.</param>
    /// <param name="defaultValue">The value when absent.</param>
    public T GetValueOrDefault<T>(AttributeKey<T> key, T defaultValue) => TryGetValue(key, out var v) ? v : defaultValue;

    /// <summary>True when both hold the same keys with equal values.</summary>
    internal bool ContentEquals(Attributes other)
    {
        if (ReferenceEquals(this, other))
        {
            return true;
        }

        if (_values.Count != other._values.Count)
        {
            return false;
        }

        foreach (var (key, value) in _values)
        {
            if (!other._values.TryGetValue(key, out var otherValue) || !Equals(value, otherValue))
            {
                return false;
            }
        }

        return true;
    }

    /// <inheritdoc />
    public override string ToString()
        => _values.Count == 0 ? "{}" : "{" + string.Join(", ", _values.Select(kv => $"{kv.Key}={kv.Value}")) + "}";
}
