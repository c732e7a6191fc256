using Proxyless.Resolution;

namespace Proxyless.Benchmarks;

/// <summary>A resolver whose results a scenario pushes.</summary>
internal sealed class PushResolverProvider : ResolverProvider
{
    private Action<ResolverResult>? _listener;

    public override string Scheme => "push";

    public override string GetDefaultAuthority(ResolverTarget target) => "scale.test";

    public override Resolver CreateResolver(ResolverTarget target, ResolverOptions options) => new PushResolver(this);

    public void Push(ResolverResult result) => Volatile.Read(ref _listener)!.Invoke(result);

    private sealed class PushResolver(PushResolverProvider owner) : Resolver
    {
        public override void Start(Action<ResolverResult> listener) => Volatile.Write(ref owner._listener, listener);
    }
}
