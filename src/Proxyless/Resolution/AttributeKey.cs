namespace Proxyless.Resolution;

/// <summary>A typed key for <see cref="Attributes"/>; keys compare by reference, so keep one static instance per key.</summary>
/// <typeparam name="T">The value type.</typeparam>
/// <param name="name">A name for diagnostics.</param>
public sealed class AttributeKey<T>(string name)
{
    /// <summary>The key's name, used in diagnostics.</summary>
    public string Name { get; } = name;

    /// <inheritdoc />
    public override string ToString() => Name;
}
