using System.Net;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Proxyless.Balancing;
using Proxyless.Xds.Resources;

namespace Proxyless.Tests.Unit.Xds;

/// <summary>What the decoders produce from valid resources, beyond the corpus's verdicts.</summary>
public class XdsResourceDecoderTests
{
    private static readonly XdsDecodeContext Context = new(LoadBalancerRegistry.CreateDefault());

    private static T Decode<T>(string name)
    {
        var entry = XdsCorpus.Load(name);
        var result = XdsResourceTypes.Find(entry.Resource.TypeUrl)!.Decode(entry.Resource, Context);
        Assert.True(result.IsValid, result.Describe());
        return Assert.IsType<T>(result.Resource);
    }

    [Fact]
    public void AListenerNamesItsRouteConfigurationOrCarriesItInline()
    {
        var rds = Decode<XdsListener>("lds-rds-ads");
        Assert.Equal(("greeter", "greeter-routes"), (rds.Name, rds.RouteConfigName));
        Assert.Null(rds.InlineRouteConfig);
        Assert.Equal(["router"], rds.HttpFilters);

        var inline = Decode<XdsListener>("lds-inline-route");
        Assert.Null(inline.RouteConfigName);
        Assert.Equal("greeter-cluster", Assert.Single(Assert.Single(inline.InlineRouteConfig!.VirtualHosts).Routes).Action.Clusters[0].Name);

        Assert.Equal(TimeSpan.FromSeconds(2.5), Decode<XdsListener>("lds-max-stream-duration").MaxStreamDuration);
        Assert.Equal(["router"], Decode<XdsListener>("lds-optional-unknown-filter").HttpFilters);
    }

    [Fact]
    public void RoutesCarryWeightsFractionsRetriesHashPoliciesAndDurations()
    {
        var weighted = Decode<XdsRouteConfig>("rds-weighted-clusters").VirtualHosts[0].Routes[0].Action;
        Assert.Equal([new XdsWeightedCluster("a", 90), new XdsWeightedCluster("b", 10)], weighted.Clusters);

        Assert.Equal(250_000u, Decode<XdsRouteConfig>("rds-runtime-fraction").VirtualHosts[0].Routes[0].Match.FractionPerMillion);

        var retry = Decode<XdsRouteConfig>("rds-retry-policy").VirtualHosts[0].Routes[0].Action.RetryPolicy!;
        Assert.Equal(new HashSet<StatusCode> { StatusCode.Unavailable, StatusCode.Cancelled }, retry.RetryOn);
        Assert.Equal((3u, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1)), (retry.NumRetries, retry.BaseInterval, retry.MaxInterval));

        var hash = Decode<XdsRouteConfig>("rds-hash-policy").VirtualHosts[0].Routes[0].Action.HashPolicies;
        Assert.Equal([(XdsHashPolicyKind.Header, "x-user", false), (XdsHashPolicyKind.ChannelId, "", true)], hash.Select(h => (h.Kind, h.HeaderName, h.Terminal)));

        // A31: grpc_timeout_header_max wins over max_stream_duration.
        Assert.Equal(TimeSpan.FromSeconds(2), Decode<XdsRouteConfig>("rds-max-stream-duration").VirtualHosts[0].Routes[0].Action.MaxStreamDuration);

        Assert.Equal(XdsRouteActionKind.NonForwarding, Decode<XdsRouteConfig>("rds-non-forwarding").VirtualHosts[0].Routes[0].Action.Kind);

        // The route naming an optional, unsupported plugin is left out; the catch-all after it stays.
        Assert.Equal("greeter-cluster", Assert.Single(Decode<XdsRouteConfig>("rds-optional-plugin").VirtualHosts[0].Routes).Action.Clusters[0].Name);
    }

    [Fact]
    public void ARetryPolicyWithoutBackoffUsesA44Defaults()
    {
        var config = new Envoy.Config.Route.V3.RouteConfiguration
        {
            Name = "r",
            VirtualHosts =
            {
                new Envoy.Config.Route.V3.VirtualHost
                {
                    Domains = { "*" },
                    RetryPolicy = new Envoy.Config.Route.V3.RetryPolicy { RetryOn = "unavailable,5xx" },
                },
            },
        };
        var result = XdsResourceTypes.RouteConfiguration.Decode(Any.Pack(config), Context);
        var retry = Assert.IsType<XdsRouteConfig>(result.Resource).VirtualHosts[0].RetryPolicy!;
        Assert.Equal([StatusCode.Unavailable], retry.RetryOn);
        Assert.Equal((1u, TimeSpan.FromMilliseconds(25), TimeSpan.FromMilliseconds(250)), (retry.NumRetries, retry.BaseInterval, retry.MaxInterval));
    }

    [Theory]
    [InlineData("x-user", "alice", true)]
    [InlineData("x-user", "bob", false)]
    [InlineData("x-user", null, false)]
    [InlineData("x-version", "9", true)]
    [InlineData("x-version", "10", false)] // the range's end is exclusive
    [InlineData("x-version", "nine", false)]
    [InlineData("x-canary", "", true)]
    [InlineData("x-canary", null, false)]
    [InlineData("x-region", "us-east", true)] // inverted prefix eu-
    [InlineData("x-region", "eu-west", false)]
    [InlineData("x-region", null, false)] // an absent header matches no value matcher, inverted or not
    public void HeaderMatchersFollowA28(string header, string? value, bool matches)
    {
        var route = Decode<XdsRouteConfig>("rds-header-matchers").VirtualHosts[0].Routes[0];
        Assert.Equal(matches, route.Match.Headers.Single(h => h.Name == header).Matches(value));
    }

    [Fact]
    public void ARegexRouteMatchesTheWholePath()
    {
        var regex = Decode<XdsRouteConfig>("rds-path-regex").VirtualHosts[0].Routes[0].Match.PathRegex!;
        Assert.Matches(regex, "/helloworld.Greeter/SayHello");
        Assert.DoesNotMatch(regex, "/x/helloworld.Greeter/SayHello");
    }

    [Fact]
    public void ClustersCarryTheirPolicyAsServiceConfigJsonAndTheirLimits()
    {
        Assert.Equal("""[{"ring_hash":{"minRingSize":1024,"maxRingSize":4096}}]""", Decode<XdsCluster>("cds-ring-hash").LbPolicyJson);
        Assert.Equal("""[{"xds_wrr_locality_experimental":{"childPolicy":[{"weighted_round_robin":{"blackoutPeriod":"5s"}}]}}]""", Decode<XdsCluster>("cds-policy-wrr").LbPolicyJson);
        Assert.Equal("""[{"round_robin":{}}]""", Decode<XdsCluster>("cds-policy-first-supported").LbPolicyJson);

        var eds = Decode<XdsCluster>("cds-eds-service-name");
        Assert.Equal((XdsClusterKind.Eds, "greeter-endpoints", XdsCluster.DefaultMaxRequests, (string?)null), (eds.Kind, eds.EdsServiceName, eds.MaxRequests, eds.OutlierDetectionJson));
        Assert.Equal(100u, Decode<XdsCluster>("cds-circuit-breaker").MaxRequests);

        var dns = Decode<XdsCluster>("cds-logical-dns");
        Assert.Equal((XdsClusterKind.LogicalDns, "greeter.example.com", 50051), (dns.Kind, dns.DnsHost, dns.DnsPort));
        Assert.Equal(["greeter-primary", "greeter-secondary"], Decode<XdsCluster>("cds-aggregate").AggregateChildren);

        Assert.Equal(
            """{"interval":"10s","baseEjectionTime":"30s","maxEjectionPercent":50,"successRateEjection":{"enforcementPercentage":100},"failurePercentageEjection":{"threshold":50,"enforcementPercentage":100}}""",
            Decode<XdsCluster>("cds-outlier-detection").OutlierDetectionJson);
    }

    [Fact]
    public void ACustomPolicyInATypedStructIsUsedWhenTheRegistryHasIt()
    {
        var cluster = new Envoy.Config.Cluster.V3.Cluster
        {
            Name = "c",
            Type = Envoy.Config.Cluster.V3.Cluster.Types.DiscoveryType.Eds,
            EdsClusterConfig = new() { EdsConfig = new() { Ads = new() } },
            LoadBalancingPolicy = new()
            {
                Policies =
                {
                    new Envoy.Config.Cluster.V3.LoadBalancingPolicy.Types.Policy
                    {
                        TypedExtensionConfig = new()
                        {
                            Name = "custom",
                            TypedConfig = Any.Pack(new global::Xds.Type.V3.TypedStruct
                            {
                                TypeUrl = "type.googleapis.com/least_request",
                                Value = Struct.Parser.ParseJson("""{"choiceCount": 4}"""),
                            }),
                        },
                    },
                },
            },
        };
        var result = XdsResourceTypes.Cluster.Decode(Any.Pack(cluster), Context);
        Assert.True(result.IsValid, result.Describe());
        Assert.Equal("""[{"least_request":{"choiceCount":4}}]""", Assert.IsType<XdsCluster>(result.Resource).LbPolicyJson);

        // A config the policy rejects is a NACK naming the field, not a silent default.
        cluster.LoadBalancingPolicy.Policies[0].TypedExtensionConfig.TypedConfig = Any.Pack(new global::Xds.Type.V3.TypedStruct
        {
            TypeUrl = "type.googleapis.com/least_request",
            Value = Struct.Parser.ParseJson("""{"choiceCount": "many"}"""),
        });
        var bad = XdsResourceTypes.Cluster.Decode(Any.Pack(cluster), Context);
        Assert.False(bad.IsValid);
        Assert.Contains("choiceCount", bad.Describe(), StringComparison.Ordinal);
    }

    [Fact]
    public void EndpointsKeepPrioritiesLocalityWeightsHealthAndDrops()
    {
        var priorities = Decode<XdsEndpoints>("eds-priorities");
        Assert.Equal(2, priorities.PriorityCount);
        Assert.Equal([("z1", 3u, 0u), ("z2", 1u, 0u), ("z3", 1u, 1u)], priorities.Localities.Select(l => (l.Zone, l.Weight, l.Priority)));
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 50053), priorities.Localities[2].Endpoints[0].Addresses[0]);

        var health = Decode<XdsEndpoints>("eds-health-status").Localities[0].Endpoints;
        Assert.Equal([true, true, false, false], health.Select(e => e.IsUsable));

        Assert.Equal([new XdsDropOverload("throttle", 50_000)], Decode<XdsEndpoints>("eds-drop-overloads").Drops);
        Assert.Equal(["z1"], Decode<XdsEndpoints>("eds-locality-weight-zero").Localities.Select(l => l.Zone));
        Assert.Equal([3u, 1u], Decode<XdsEndpoints>("eds-endpoint-weights").Localities[0].Endpoints.Select(e => e.Weight));
    }

    [Fact]
    public void FieldsThisClientDoesNotKnowAreIgnored()
    {
        // Field 999 (a varint) is in no version of Cluster this client compiles: A27 says it is ignored, not NACKed.
        var cluster = XdsCorpus.Load("cds-eds-ads").Resource;
        var withUnknown = new Any { TypeUrl = cluster.TypeUrl, Value = ByteString.CopyFrom([.. cluster.Value, 0xB8, 0x3E, 0x01]) };
        var result = XdsResourceTypes.Cluster.Decode(withUnknown, Context);
        Assert.True(result.IsValid, result.Describe());
    }

    [Fact]
    public void AResourceInTheA27WrapperIsUnwrappedAndAWrongTypeIsNamed()
    {
        var cluster = XdsCorpus.Load("cds-eds-ads").Resource;
        var wrapped = Any.Pack(new Envoy.Service.Discovery.V3.Resource { Name = "greeter-cluster", Resource_ = cluster });
        Assert.True(XdsResourceTypes.Cluster.Decode(wrapped, Context).IsValid);

        var wrong = XdsResourceTypes.Listener.Decode(cluster, Context);
        Assert.False(wrong.IsValid);
        Assert.Contains("envoy.config.cluster.v3.Cluster in a LDS response", wrong.Describe(), StringComparison.Ordinal);

        var garbage = XdsResourceTypes.Cluster.Decode(new Any { TypeUrl = XdsTypeUrls.Cluster, Value = ByteString.CopyFrom(0xFF, 0xFF) }, Context);
        Assert.Contains("cannot be parsed", garbage.Describe(), StringComparison.Ordinal);
    }
}
