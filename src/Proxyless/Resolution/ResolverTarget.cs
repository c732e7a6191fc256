namespace Proxyless.Resolution;

/// <summary>
/// A parsed target per gRPC's naming doc: <c>scheme://authority/endpoint</c> or <c>scheme:endpoint</c>
/// (for example <c>dns:///example.com:443</c>, <c>ipv4:127.0.0.1:50051,127.0.0.1:50052</c>, <c>unix:/tmp/app.sock</c>).
/// </summary>
/// <param name="Scheme">The scheme, lower-case (e.g. <c>dns</c>).</param>
/// <param name="Authority">The authority part after <c>//</c> (for DNS, the DNS server); empty when absent.</param>
/// <param name="Endpoint">What to resolve: the part after the authority's <c>/</c>, or everything after <c>scheme:</c>.</param>
/// <param name="Original">The target string as given.</param>
public sealed record ResolverTarget(string Scheme, string Authority, string Endpoint, string Original)
{
    /// <inheritdoc />
    public override string ToString() => Original;

    /// <summary>The target as gRFC A66's <c>grpc.target</c> names it: <c>scheme://authority/endpoint</c>, scheme included.</summary>
    internal string Canonical => _canonical ??= $"{Scheme}://{Authority}/{Endpoint}";

    private string? _canonical;
}
