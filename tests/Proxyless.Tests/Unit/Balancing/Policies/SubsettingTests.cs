using System.Net;
using Proxyless.Balancing;
using Proxyless.Balancing.Policies.Subsetting;
using Proxyless.Configuration;
using Proxyless.Resolution;
using Proxyless.Tests.Support;
using static Proxyless.Tests.Support.PolicyHarness;
using Xunit.Abstractions;

namespace Proxyless.Tests.Unit.Balancing.Policies;

/// <summary>
/// Subsetting: both policies hand their child exactly subsetSize endpoints (so exactly that many subchannels open);
/// A68's rendezvous hashing changes at most one member when one endpoint is added or removed; the deterministic
/// algorithm spreads 200 clients over 1,000 backends evenly (max/mean connections per backend at most 1.05).
/// </summary>
public class SubsettingTests(ITestOutputHelper output)
{
    private static BackendEndpoint[] Endpoints(int count) =>
        [.. Enumerable.Range(1, count).Select(i => new BackendEndpoint(new BackendAddress(new IPEndPoint(new IPAddress([10, 0, (byte)(i >> 8), (byte)i]), 50051))))];

    private static FakeHelper Start(string config, int endpoints)
    {
        var helper = new FakeHelper();
        var selection = LoadBalancerRegistry.CreateDefault().SelectPolicy(ServiceConfig.Parse($$"""{"loadBalancingConfig":[{{config}}]}"""));
        var policy = selection.Provider.Create(helper);
        Assert.Equal(StatusCode.OK, policy.UpdateChannelState(new ChannelState(Endpoints(endpoints), selection.Config, Attributes.Empty, ServiceConfig.Empty)).StatusCode);
        return helper;
    }

    [Theory]
    [InlineData("""{"random_subsetting_experimental":{"subsetSize":5,"childPolicy":[{"round_robin":{}}]}}""")]
    [InlineData("""{"random_subsetting":{"subsetSize":5,"childPolicy":[{"round_robin":{}}]}}""")]
    [InlineData("""{"deterministic_subsetting":{"subsetSize":5,"clientIndex":7,"clientCount":200,"childPolicy":[{"round_robin":{}}]}}""")]
    public void TheChildGetsExactlySubsetSizeEndpoints(string config)
    {
        var helper = Start(config, 100);
        Assert.Equal(5, helper.Subchannels.Count);
        Assert.Equal(5, helper.Subchannels.Select(s => s.Address.ToString()).Distinct().Count());
        Assert.Equal(3, Start(config, 3).Subchannels.Count); // fewer endpoints than the subset: all of them
    }

    [Fact]
    public void AddingOrRemovingOneEndpointChangesAtMostOneMemberOfARandomSubset()
    {
        var endpoints = Endpoints(300);
        var changed = new List<int>();
        for (var seed = 0L; seed < 200; seed++)
        {
            var subset = Subsets.Random(endpoints[..299], 20, seed).Select(e => e.ToString()).ToHashSet();
            var grown = Subsets.Random(endpoints, 20, seed).Select(e => e.ToString()).ToHashSet();
            var shrunk = Subsets.Random(endpoints[1..299], 20, seed).Select(e => e.ToString()).ToHashSet();
            Assert.InRange(grown.Except(subset).Count(), 0, 1);
            Assert.InRange(subset.Except(shrunk).Count(), 0, 1);
            changed.Add(grown.Except(subset).Count());
        }

        Assert.Contains(1, changed); // an added endpoint does sometimes enter a subset
        Assert.Contains(0, changed);
    }

    [Fact]
    public void DeterministicSubsettingSpreadsClientsEvenlyAndRandomSubsettingDoesNot()
    {
        var endpoints = Endpoints(1000);
        double MaxOverMean(Func<int, IReadOnlyList<BackendEndpoint>> subsetOf)
        {
            var perBackend = new Dictionary<string, int>();
            for (var client = 0; client < 200; client++)
            {
                var subset = subsetOf(client);
                Assert.Equal(50, subset.Count);
                foreach (var endpoint in subset)
                {
                    perBackend[endpoint.ToString()!] = perBackend.GetValueOrDefault(endpoint.ToString()!) + 1;
                }
            }

            return perBackend.Values.Max() / (200.0 * 50 / 1000);
        }

        var deterministic = MaxOverMean(client => Subsets.Deterministic(endpoints, 50, client));
        var random = MaxOverMean(client => Subsets.Random(endpoints, 50, seed: client * 7919L));
        output.WriteLine($"200 clients, 1,000 backends, subsets of 50: max/mean connections per backend {deterministic:0.00} deterministic, {random:0.00} random (A68)");
        Assert.True(deterministic <= 1.05, $"deterministic max/mean {deterministic:0.00}");
        Assert.True(random > 1.05, $"random max/mean {random:0.00}"); // the reason deterministic subsetting exists
    }

    [Fact]
    public void TheDeterministicSubsetDependsOnlyOnTheIndexAndTheEndpointSet()
    {
        var endpoints = Endpoints(40);
        var shuffled = endpoints.Reverse().ToArray();
        Assert.Equal(Subsets.Deterministic(endpoints, 5, 3).Select(e => e.ToString()), Subsets.Deterministic(shuffled, 5, 3).Select(e => e.ToString()));
        Assert.NotEqual(Subsets.Deterministic(endpoints, 5, 3).Select(e => e.ToString()), Subsets.Deterministic(endpoints, 5, 4).Select(e => e.ToString()));
        var round = Enumerable.Range(0, 8).SelectMany(i => Subsets.Deterministic(endpoints, 5, i)).Select(e => e.ToString()).ToList();
        Assert.Equal(40, round.Distinct().Count()); // one round of 8 clients covers every endpoint once
    }

    [Theory]
    [InlineData("""{"random_subsetting_experimental":{"childPolicy":[{"round_robin":{}}]}}""", "loadBalancingConfig[0].random_subsetting_experimental.subsetSize")]
    [InlineData("""{"random_subsetting":{"subsetSize":0,"childPolicy":[{"round_robin":{}}]}}""", "loadBalancingConfig[0].random_subsetting.subsetSize")]
    [InlineData("""{"random_subsetting":{"subsetSize":3}}""", "loadBalancingConfig[0].random_subsetting.childPolicy")]
    [InlineData("""{"deterministic_subsetting":{"subsetSize":3,"clientCount":10,"childPolicy":[{"round_robin":{}}]}}""", "loadBalancingConfig[0].deterministic_subsetting.clientIndex")]
    [InlineData("""{"deterministic_subsetting":{"subsetSize":3,"clientIndex":10,"clientCount":10,"childPolicy":[{"round_robin":{}}]}}""", "loadBalancingConfig[0].deterministic_subsetting.clientIndex")]
    [InlineData("""{"deterministic_subsetting":{"subsetSize":3,"clientIndex":1,"childPolicy":[{"round_robin":{}}]}}""", "loadBalancingConfig[0].deterministic_subsetting.clientCount")]
    public void BadConfigsNameTheField(string policy, string field)
        => Assert.Equal(field, Assert.Throws<ServiceConfigException>(() => Parse(policy)).FieldPath);
}
