using System.Net;
using System.Net.Sockets;
using Proxyless.Resolution;

namespace Proxyless.Tests.Unit.Resolution;

public class ResolverTargetTests
{
    private static readonly ResolverRegistry Registry = ResolverRegistry.CreateDefault();

    private static List<ResolverResult> Resolve(string target)
    {
        var (parsed, provider) = Registry.Parse(target);
        var results = new List<ResolverResult>();
        using var resolver = provider.CreateResolver(parsed, new ResolverOptions());
        resolver.Start(results.Add);
        return results;
    }

    [Fact]
    public void Ipv4ListGivesOneEndpointPerAddress()
    {
        var result = Assert.Single(Resolve("ipv4:127.0.0.1:50051,127.0.0.1:50052"));
        Assert.Equal(["127.0.0.1:50051", "127.0.0.1:50052"], result.Endpoints!.Select(e => e.ToString()));
    }

    [Fact]
    public void Ipv4WithoutPortUsesDefault443()
    {
        var result = Assert.Single(Resolve("ipv4:10.0.0.1"));
        Assert.Equal("10.0.0.1:443", result.Endpoints![0].ToString());
    }

    [Fact]
    public void Ipv6ListParsesBracketedAddresses()
    {
        var result = Assert.Single(Resolve("ipv6:[::1]:50051,[::1]:50052"));
        Assert.Equal(["[::1]:50051", "[::1]:50052"], result.Endpoints!.Select(e => e.ToString()));
        Assert.All(result.Endpoints!, e => Assert.Equal(AddressFamily.InterNetworkV6, e.Addresses[0].AddressFamily));
    }

    [Theory]
    [InlineData("dns:///example.com:8080", "dns", "", "example.com:8080")]
    [InlineData("example.com:8080", "dns", "", "example.com:8080")]
    [InlineData("localhost:50051", "dns", "", "localhost:50051")]
    [InlineData("127.0.0.1:50051", "dns", "", "127.0.0.1:50051")]
    [InlineData("[::1]:50051", "dns", "", "[::1]:50051")]
    [InlineData("unix:/tmp/app.sock", "unix", "", "/tmp/app.sock")]
    [InlineData("unix:///tmp/app.sock", "unix", "", "tmp/app.sock")]
    public void ParsesSchemeAuthorityAndEndpoint(string target, string scheme, string authority, string endpoint)
    {
        var (parsed, provider) = Registry.Parse(target);
        Assert.Equal(scheme, parsed.Scheme);
        Assert.Equal(scheme, provider.Scheme);
        Assert.Equal(authority, parsed.Authority);
        Assert.Equal(endpoint, parsed.Endpoint);
    }

    [Theory]
    [InlineData("unix:/tmp/app.sock")]
    [InlineData("unix:///tmp/app.sock")]
    public void UnixTargetsResolveToAbsolutePath(string target)
    {
        var result = Assert.Single(Resolve(target));
        var endPoint = Assert.IsType<UnixDomainSocketEndPoint>(result.Endpoints![0].Addresses[0].EndPoint);
        Assert.Equal("/tmp/app.sock", endPoint.ToString());
    }

    [Fact]
    public async Task DnsTargetResolvesLocalhost()
    {
        var (parsed, provider) = Registry.Parse("dns:///localhost:50051");
        var results = new System.Collections.Concurrent.ConcurrentQueue<ResolverResult>();
        using var resolver = provider.CreateResolver(parsed, new ResolverOptions());
        resolver.Start(results.Enqueue);
        await Support.Eventually.TrueAsync(() => !results.IsEmpty, "a DNS result");
        var result = Assert.Single(results);
        Assert.NotNull(result.Endpoints);
        Assert.Contains(result.Endpoints!, e => e.ToString() is "127.0.0.1:50051" or "[::1]:50051");
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("ipv4:127.0.0.1:99999", "port '99999'")]
    [InlineData("ipv4:127.0.0.1:abc", "port 'abc'")]
    [InlineData("ipv4:[::1]:50051", "is not an IPv4 address")]
    [InlineData("ipv6:127.0.0.1:50051", "is not an IPv6 address")]
    [InlineData("ipv4:127.0.0.1:50051,", "empty")]
    [InlineData("etcd://host/service", "no registered resolver")]
    [InlineData("dns://8.8.8.8/example.com", "choosing a DNS server is not supported")]
    [InlineData("dns:///exa mple.com:80", "not a valid host name")]
    [InlineData("unix:", "no socket path")]
    [InlineData("ipv6:[::1:50051", "without a closing")]
    public void BadTargetsFailWithAMessageNamingTheProblem(string target, string expected)
    {
        var ex = Assert.ThrowsAny<ArgumentException>(() => BalancedChannel.Create(target));
        Assert.Contains(expected, ex.Message);
    }

    [Fact]
    public void CustomSchemeIsUsedWhenRegistered()
    {
        var registry = ResolverRegistry.CreateDefault().Register(new Support.ManualResolverProvider());
        var (parsed, provider) = registry.Parse("manual:///my-service");
        Assert.Equal("manual", provider.Scheme);
        Assert.Equal("my-service", parsed.Endpoint);
    }

    [Fact]
    public void BackendAddressFormatsLikeGrpcPeers()
    {
        Assert.Equal("127.0.0.1:5", new BackendAddress(new IPEndPoint(IPAddress.Loopback, 5)).ToString());
        Assert.Equal("[::1]:5", new BackendAddress(new IPEndPoint(IPAddress.IPv6Loopback, 5)).ToString());
        Assert.Equal("[::1]:5", new BackendAddress("[::1]", 5).ToString());
        Assert.Equal("example.com:5", new BackendAddress("example.com", 5).ToString());
    }
}
