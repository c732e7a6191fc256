using Proxyless.Resolution;

namespace LoadBalancing.Client;

/// <summary>
/// The example's own name resolver, as in grpc-go's example: the scheme <c>example</c> resolves
/// <c>lb.example.grpc.io</c> to a fixed list of backend addresses.
/// </summary>
public sealed class ExampleResolverProvider(IReadOnlyList<BackendAddress> addresses) : ResolverProvider
{
    /// <summary>The scheme.</summary>
    public const string ExampleScheme = "example";

    /// <summary>The service name the resolver knows.</summary>
    public const string ExampleServiceName = "lb.example.grpc.io";

    /// <inheritdoc />
    public override string Scheme => ExampleScheme;

    /// <inheritdoc />
    public override Resolver CreateResolver(ResolverTarget target, ResolverOptions options)
    {
        if (target.Endpoint != ExampleServiceName)
        {
            throw new ArgumentException($"The example resolver only knows '{ExampleServiceName}', not '{target.Endpoint}'.");
        }

        return new StaticListResolver(addresses.Select(a => new BackendEndpoint(a)).ToArray());
    }

    private sealed class StaticListResolver(IReadOnlyList<BackendEndpoint> endpoints) : Resolver
    {
        public override void Start(Action<ResolverResult> listener) => listener(ResolverResult.ForEndpoints(endpoints));
    }
}
