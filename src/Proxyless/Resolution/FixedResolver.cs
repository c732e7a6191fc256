namespace Proxyless.Resolution;

/// <summary>A resolver whose result never changes (ipv4, ipv6, unix, and tests).</summary>
internal sealed class FixedResolver(ResolverResult result) : Resolver
{
    public override void Start(Action<ResolverResult> listener) => listener(result);
}
