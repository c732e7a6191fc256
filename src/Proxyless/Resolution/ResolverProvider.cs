namespace Proxyless.Resolution;

/// <summary>Creates resolvers for one target scheme (e.g. <c>dns</c>, <c>etcd</c>). Register it in a <see cref="ResolverRegistry"/>.</summary>
public abstract class ResolverProvider
{
    /// <summary>The scheme this provider handles, lower-case, without the colon.</summary>
    public abstract string Scheme { get; }

    /// <summary>
    /// Creates a resolver for <paramref name="target"/>. Throw <see cref="ArgumentException"/> with a message naming
    /// the problem when the target is malformed: the channel lets it escape from creation.
    /// </summary>
    /// <param name="target">The parsed target.</param>
    /// <param name="options">Logging, clock and defaults.</param>
    public abstract Resolver CreateResolver(ResolverTarget target, ResolverOptions options);

    /// <summary>The default <c>:authority</c> for calls to this target (by default the endpoint part of the target).</summary>
    /// <param name="target">The parsed target.</param>
    public virtual string GetDefaultAuthority(ResolverTarget target) => target.Endpoint;
}
