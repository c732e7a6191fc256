namespace Proxyless.Discovery;

/// <summary>One endpoint of a service instance: its addresses as <c>host:port</c> (<c>127.0.0.1:5001</c>, <c>[::1]:5001</c>).</summary>
/// <param name="Addresses">The addresses, preferred first.</param>
public sealed record InstanceEndpoint(IReadOnlyList<string> Addresses)
{
    /// <inheritdoc />
    public override string ToString() => string.Join(", ", Addresses);
}
