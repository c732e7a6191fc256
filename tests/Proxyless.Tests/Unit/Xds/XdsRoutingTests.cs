using Google.Protobuf.WellKnownTypes;
using Proxyless.Balancing;
using Proxyless.Xds.Policies;
using Proxyless.Xds.Resolver;
using Proxyless.Xds.Resources;

namespace Proxyless.Tests.Unit.Xds;

/// <summary>gRFC A28's route matching and virtual host choice, as the cluster manager's picker applies them.</summary>
public class XdsRoutingTests
{
    private static XdsVirtualHost Host(string json)
    {
        var config = Envoy.Config.Route.V3.RouteConfiguration.Parser.ParseJson(json);
        var result = XdsResourceTypes.RouteConfiguration.Decode(Any.Pack(config), new XdsDecodeContext(LoadBalancerRegistry.CreateDefault()));
        Assert.True(result.IsValid, result.Describe());
        return ((XdsRouteConfig)result.Resource!).VirtualHosts[0];
    }

    private static string? Route(XdsVirtualHost host, string path, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "http://greeter" + path);
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return RouteTable.Match(host, new PickContext(request))?.Action.Clusters[0].Name;
    }

    private const string Table = """
        {"name": "r", "virtualHosts": [{"domains": ["*"], "routes": [
          {"match": {"path": "/helloworld.Greeter/SayHello", "headers": [{"name": "x-user", "stringMatch": {"exact": "alice"}}]}, "route": {"cluster": "alice"}},
          {"match": {"path": "/helloworld.Greeter/SayHello", "headers": [{"name": "x-bin-data-bin", "presentMatch": true}]}, "route": {"cluster": "never"}},
          {"match": {"prefix": "/helloworld.greeter/", "caseSensitive": false}, "route": {"cluster": "greeter"}},
          {"match": {"safeRegex": {"regex": "/echo\\.Echo/(Unary|Server)Echo"}}, "route": {"cluster": "echo"}},
          {"match": {"prefix": "/", "headers": [{"name": "x-version", "rangeMatch": {"start": "2", "end": "5"}}]}, "route": {"cluster": "v2to4"}},
          {"match": {"prefix": ""}, "route": {"cluster": "default"}}
        ]}]}
        """;

    [Theory]
    [InlineData("/helloworld.Greeter/SayHello", "x-user", "alice", "alice")]
    [InlineData("/helloworld.Greeter/SayHello", "x-user", "bob", "greeter")] // header differs: the next route, case-insensitive prefix
    [InlineData("/HELLOWORLD.GREETER/SayHi", "", "", "greeter")]
    [InlineData("/echo.Echo/UnaryEcho", "", "", "echo")]
    [InlineData("/echo.Echo/BidirectionalStreamingEcho", "", "", "default")] // the regex matches the whole path only
    [InlineData("/other.Service/Call", "x-version", "3", "v2to4")]
    [InlineData("/other.Service/Call", "x-version", "5", "default")]
    public void TheFirstMatchingRouteWins(string path, string header, string value, string cluster)
    {
        var host = Host(Table);
        Assert.Equal(cluster, header.Length == 0 ? Route(host, path) : Route(host, path, (header, value)));
    }

    [Fact]
    public void BinaryHeadersAreNeverMatched()
        => Assert.Equal("greeter", Route(Host(Table), "/helloworld.Greeter/SayHello", ("x-bin-data-bin", "AAEC")));

    [Fact]
    public void AHeaderSentTwiceIsMatchedAsItsValuesJoinedWithAComma()
    {
        var host = Host("""{"name": "r", "virtualHosts": [{"domains": ["*"], "routes": [{"match": {"prefix": "", "headers": [{"name": "x-tags", "stringMatch": {"exact": "a,b"}}]}, "route": {"cluster": "both"}}]}]}""");
        Assert.Equal("both", Route(host, "/s/m", ("x-tags", "a"), ("x-tags", "b")));
        Assert.Null(Route(host, "/s/m", ("x-tags", "a")));
    }

    [Fact]
    public void WeightedClustersAreChosenInProportion()
    {
        var counts = new Dictionary<string, int> { ["a"] = 0, ["b"] = 0 };
        for (var i = 0; i < 20_000; i++)
        {
            counts[RouteTable.ChooseCluster([new XdsWeightedCluster("a", 3), new XdsWeightedCluster("b", 1)])]++;
        }

        Assert.InRange(counts["a"] / 20_000.0, 0.73, 0.77);
    }

    [Fact]
    public void TheRequestHashFoldsEachPolicysValueAndStopsAtATerminalOne()
    {
        static ulong H(string s) => Proxyless.Balancing.Policies.RingHash.Ring.Hash(s);
        static ulong Fold(ulong h, ulong v) => ((h << 1) | (h >> 63)) ^ v;
        using var request = new HttpRequestMessage(HttpMethod.Post, "http://greeter/s/m");
        request.Headers.TryAddWithoutValidation("x-user", "alice");
        request.Headers.TryAddWithoutValidation("x-tenant", "t-42");
        var context = new PickContext(request);
        XdsHashPolicy Header(string name, bool terminal = false, string? pattern = null, string substitution = "")
            => new(XdsHashPolicyKind.Header, name, pattern is null ? null : new System.Text.RegularExpressions.Regex(pattern), substitution, terminal);
        var channel = new XdsHashPolicy(XdsHashPolicyKind.ChannelId, "", null, "", false);

        Assert.Equal(H("alice"), RouteTable.RequestHash([Header("x-user")], context, 7));
        Assert.Equal(Fold(H("alice"), H("t-42")), RouteTable.RequestHash([Header("x-user"), Header("x-tenant")], context, 7));
        Assert.Equal(H("alice"), RouteTable.RequestHash([Header("x-user", terminal: true), Header("x-tenant")], context, 7));
        Assert.Equal(Fold(H("alice"), 7), RouteTable.RequestHash([Header("x-missing", terminal: true), Header("x-user"), channel], context, 7));
        Assert.Equal(H("t-99"), RouteTable.RequestHash([Header("x-tenant", pattern: "42", substitution: "99")], context, 7));
        Assert.Null(RouteTable.RequestHash([Header("x-missing")], context, 7));
    }

    [Theory]
    [InlineData(null, 200, "200m")] // no deadline: the route's limit
    [InlineData("5S", 200, "200m")] // a longer deadline is capped
    [InlineData("100m", 200, "100m")] // a shorter one stands
    [InlineData("garbage", 200, "200m")] // a malformed header is replaced
    public void TheGrpcTimeoutHeaderIsCappedAtTheRoutesLimit(string? header, int limitMs, string expected)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "http://greeter/s/m");
        if (header is not null)
        {
            request.Headers.TryAddWithoutValidation("grpc-timeout", header);
        }

        GrpcTimeout.Cap(request, TimeSpan.FromMilliseconds(limitMs));
        Assert.Equal(expected, Assert.Single(request.Headers.GetValues("grpc-timeout")));
    }

    [Theory]
    [InlineData("1H", 3_600_000.0)]
    [InlineData("2M", 120_000.0)]
    [InlineData("3S", 3_000.0)]
    [InlineData("4m", 4.0)]
    [InlineData("5000u", 5.0)]
    [InlineData("6000000n", 6.0)]
    public void GrpcTimeoutValuesParseInEveryUnit(string value, double milliseconds)
        => Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), GrpcTimeout.Parse(value));

    [Theory]
    [InlineData("greeter", "exact")]
    [InlineData("api.greeter.example", "suffix-long")]
    [InlineData("x.example", "suffix-short")]
    [InlineData("greeter.internal", "prefix")]
    [InlineData("other", "any")]
    public void TheVirtualHostIsChosenExactThenSuffixThenPrefixThenAny(string authority, string expected)
    {
        XdsVirtualHost H(string name, params string[] domains) => new(name, domains, [], null);
        var hosts = new[] { H("any", "*"), H("prefix", "greeter.*"), H("suffix-short", "*.example"), H("suffix-long", "*.greeter.example"), H("exact", "GREETER") };
        Assert.Equal(expected, VirtualHostSelector.Select(hosts, authority)!.Name);
    }
}
