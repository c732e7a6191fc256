using Proxyless.Resolution;

namespace Tls;

/// <summary>
/// The example's resolver: <c>example:///lb.example.grpc.io</c> resolves to the three members' loopback addresses.
/// Each address carries its TLS server name (<c>member1.etcd.local</c>, ...) as a registry entry would; with
/// <c>withServerNames: false</c> it leaves them out, which reproduces grpc-go's failure.
/// </summary>
public sealed class MemberResolverProvider(IReadOnlyList<(string ServerName, System.Net.EndPoint EndPoint)> members, bool withServerNames) : ResolverProvider
{
    /// <inheritdoc />
    public override string Scheme => "example";

    /// <inheritdoc />
    public override Resolver CreateResolver(ResolverTarget target, ResolverOptions options)
        => new Fixed(members.Select(m => new BackendEndpoint(new BackendAddress(
            m.EndPoint,
            withServerNames ? Attributes.Empty.With(AddressAttributes.ServerName, m.ServerName) : null))).ToArray());

    private sealed class Fixed(IReadOnlyList<BackendEndpoint> endpoints) : Resolver
    {
        public override void Start(Action<ResolverResult> listener) => listener(ResolverResult.ForEndpoints(endpoints));
    }
}
