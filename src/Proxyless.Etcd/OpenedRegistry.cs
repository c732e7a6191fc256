using Proxyless.Discovery;
using Proxyless.Resolution;

namespace Proxyless.Etcd;

/// <summary>A registry opened from a URI by <see cref="RegistryUri.Open"/>: registrar, discovery, and the resolver scheme to use.</summary>
/// <param name="Registrar">Registers instances.</param>
/// <param name="Discovery">Finds instances.</param>
/// <param name="Scheme">The resolver scheme clients use: <c>registry</c> (file) or <c>etcd</c>.</param>
/// <param name="Owner">What to dispose when done.</param>
public sealed record OpenedRegistry(IServiceRegistrar Registrar, IServiceDiscovery Discovery, string Scheme, IAsyncDisposable Owner) : IAsyncDisposable
{
    /// <summary>A resolver provider for <c>&lt;Scheme&gt;:///service-name</c> over this registry.</summary>
    public ResolverProvider CreateResolverProvider() => new RegistryResolverProvider(Scheme, Discovery);

    /// <inheritdoc />
    public ValueTask DisposeAsync() => Owner.DisposeAsync();
}
