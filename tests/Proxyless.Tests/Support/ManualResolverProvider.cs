using Proxyless.Resolution;

namespace Proxyless.Tests.Support;

/// <summary>A resolver for scheme <c>manual</c> whose results the test pushes.</summary>
internal sealed class ManualResolverProvider(ResolverResult? initial = null) : ResolverProvider
{
    private readonly object _lock = new();
    private Action<ResolverResult>? _listener;
    private ResolverResult? _last = initial;

    public override string Scheme => "manual";

    public int RefreshCount;

    public override string GetDefaultAuthority(ResolverTarget target) => "manual.test";

    public override Resolver CreateResolver(ResolverTarget target, ResolverOptions options) => new ManualResolver(this);

    public void Push(ResolverResult result)
    {
        Action<ResolverResult>? listener;
        lock (_lock)
        {
            _last = result;
            listener = _listener;
        }

        listener?.Invoke(result);
    }

    public static ResolverResult Endpoints(params Examples.EchoBackend[] backends)
        => ResolverResult.ForEndpoints(backends.Select(b => new BackendEndpoint(new BackendAddress(b.EndPoint))).ToArray());

    private sealed class ManualResolver(ManualResolverProvider owner) : Resolver
    {
        public override void Start(Action<ResolverResult> listener)
        {
            ResolverResult? last;
            lock (owner._lock)
            {
                owner._listener = listener;
                last = owner._last;
            }

            if (last is not null)
            {
                listener(last);
            }
        }

        public override void RefreshResolution() => Interlocked.Increment(ref owner.RefreshCount);
    }
}
