namespace Proxyless.Resolution;

/// <summary>
/// A scheme that always resolves to the same endpoints, whatever follows the scheme (for fixed clusters, examples
/// and tests). The authority of calls is the target's endpoint part unless given.
/// </summary>
/// <param name="scheme">The scheme to register, e.g. <c>etcd-cluster</c>.</param>
/// <param name="endpoints">The endpoints.</param>
/// <param name="authority">The <c>:authority</c> of calls; the target's endpoint part when null.</param>
public sealed class FixedEndpointsResolverProvider(string scheme, IReadOnlyList<BackendEndpoint> endpoints, string? authority = null) : ResolverProvider
{
    /// <inheritdoc />
    public override string Scheme { get; } = scheme;

    /// <inheritdoc />
    public override string GetDefaultAuthority(ResolverTarget target) => authority ?? target.Endpoint;

    /// <inheritdoc />
    public override Resolver CreateResolver(ResolverTarget target, ResolverOptions options) => new FixedResolver(ResolverResult.ForEndpoints(endpoints));
}
