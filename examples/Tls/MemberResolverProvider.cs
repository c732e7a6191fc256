using Proxyless.Resolution;

namespace Tls;

/// <summary>
/// The example's resolver: <c>example:///lb.example.grpc.io</c> resolves to the three members' loopback addresses.
/// Each address carries its TLS server name (<c>member1.etcd.local</c>, ...) as a registry entry would; with
/// <c>withServerNames: false</c> it leaves them out, which reproduces grpc-go's failure.
/// </summary>
public static class MemberResolverProvider
{
    /// <summary>Creates the resolver provider.</summary>
    /// <param name="members">Each member's server name and address.</param>
    /// <param name="withServerNames">Whether addresses carry their server names.</param>
    public static ResolverProvider Create(IReadOnlyList<(string ServerName, System.Net.EndPoint EndPoint)> members, bool withServerNames)
        => new FixedEndpointsResolverProvider("example", members.Select(m => new BackendEndpoint(new BackendAddress(
            m.EndPoint,
            withServerNames ? Attributes.Empty.With(AddressAttributes.ServerName, m.ServerName) : null))).ToArray());
}
