namespace Proxyless.Resolution;

/// <summary>Well-known attribute keys that resolvers and registries set on addresses and endpoints.</summary>
public static class AddressAttributes
{
    /// <summary>
    /// The TLS server name to expect at an address (SNI and certificate verification), e.g. <c>member1.etcd.local</c>,
    /// while the socket connects to the address's IP. Without it the target's host name is used.
    /// </summary>
    public static readonly AttributeKey<string> ServerName = new("server-name");
}
