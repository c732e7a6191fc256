using System.Net;
using Google.Protobuf;
using Proxyless.Balancing;
using Proxyless.Balancing.Policies.LeastRequest;
using Proxyless.Balancing.Policies.RingHash;
using Proxyless.Balancing.Policies.Random;
using Proxyless.Balancing.Policies.WeightedRoundRobin;
using Proxyless.Configuration;
using Proxyless.Orca;
using Proxyless.Resolution;
using Proxyless.Tests.Support;

namespace Proxyless.Tests.Unit;

public class WeightedPolicyTests
{
    private static readonly LoadBalancerRegistry Registry = LoadBalancerRegistry.CreateDefault();

    private static LoadBalancerConfig Parse(string policyJson) => Registry.SelectPolicy(ServiceConfig.Parse($"{{\"loadBalancingConfig\":[{policyJson}]}}")).Config;

    private static ChannelState State(LoadBalancerConfig config, params (int Port, int? Weight)[] endpoints)
        => new(
            endpoints.Select(e => new BackendEndpoint(
                new BackendAddress(new IPEndPoint(IPAddress.Loopback, e.Port)),
                e.Weight is { } w ? Attributes.Empty.With(EndpointAttributes.Weight, w) : null)).ToArray(),
            config,
            Attributes.Empty,
            ServiceConfig.Empty);

    private static (FakeHelper Helper, LoadBalancer Policy) Start(string policyJson, params (int Port, int? Weight)[] endpoints)
    {
        var helper = new FakeHelper();
        var config = Parse(policyJson);
        var policy = Registry.SelectPolicy(ServiceConfig.Parse($"{{\"loadBalancingConfig\":[{policyJson}]}}")).Provider.Create(helper);
        policy.UpdateChannelState(State(config, endpoints));
        helper.RunScheduled(); // large updates start their children in batches
        foreach (var sub in helper.Subchannels.ToArray())
        {
            sub.Set(ConnectivityState.Ready);
        }

        return (helper, policy);
    }

    private static Dictionary<int, int> Count(FakeHelper helper, int picks, Func<PickContext>? context = null)
    {
        var counts = new Dictionary<int, int>();
        for (var i = 0; i < picks; i++)
        {
            var result = helper.Picker.Pick(context?.Invoke() ?? new PickContext(new HttpRequestMessage()));
            var port = ((IPEndPoint)result.Subchannel!.Address.EndPoint).Port;
            counts[port] = counts.GetValueOrDefault(port) + 1;
        }

        return counts;
    }

    [Theory]
    [InlineData(new double[] { 3, 1 })]
    [InlineData(new double[] { 1, 2, 3, 4 })]
    [InlineData(new double[] { 10, 1, 1 })]
    public void StaticStrideSharesAreWithinOnePercentOfTheWeights(double[] weights)
    {
        var scheduler = StaticStrideScheduler.Create(weights, start: 12345)!;
        var counts = new int[weights.Length];
        const int picks = 100_000;
        for (var i = 0; i < picks; i++)
        {
            counts[scheduler.Pick()]++;
        }

        for (var i = 0; i < weights.Length; i++)
        {
            var expected = weights[i] / weights.Sum();
            Assert.InRange((double)counts[i] / picks, expected - 0.01, expected + 0.01);
        }
    }

    [Fact]
    public void UnknownWeightsGetTheMeanAndTooFewWeightsMeanPlainRoundRobin()
    {
        var scheduler = StaticStrideScheduler.Create([4, 0, 2], 0)!;
        Assert.Equal(scheduler.ScaledWeights[1], (ushort)Math.Round(3.0 / 4 * ushort.MaxValue));
        Assert.Null(StaticStrideScheduler.Create([5, 0, 0], 0));
    }

    [Fact]
    public void WeightedRoundRobinUsesStaticWeightsWhenNoOrcaReportsArrive()
    {
        var (helper, policy) = Start("""{"weighted_round_robin":{}}""", (1, 3), (2, 1));
        using (policy)
        {
            var counts = Count(helper, 100_000);
            Assert.InRange(counts[1] / 100_000.0, 0.74, 0.76);
        }
    }

    [Fact]
    public void WeightedRoundRobinFollowsOrcaReportsAfterTheBlackout()
    {
        var (helper, policy) = Start("""{"weighted_round_robin":{"blackoutPeriod":"0s","weightUpdatePeriod":"0.1s"}}""", (1, null), (2, null));
        using (policy)
        {
            // Each call's trailers carry its backend's load: port 1 is at 90% CPU, port 2 at 10%, both at 100 qps.
            for (var i = 0; i < 20; i++)
            {
                var result = helper.Pick();
                var port = ((IPEndPoint)result.Subchannel!.Address.EndPoint).Port;
                var trailers = new HttpResponseMessage().TrailingHeaders;
                trailers.TryAddWithoutValidation(OrcaTrailer.Name, Convert.ToBase64String(new OrcaLoadReport { CpuUtilization = port == 1 ? 0.9 : 0.1, RpsFractional = 100 }.ToByteArray()));
                result.CallTracker!.OnCallEnded(new CallCompletion(Status.DefaultSuccess, trailers, TimeSpan.Zero));
            }

            Assert.True(helper.FireTimers() > 0); // the weight update period passes
            var counts = Count(helper, 10_000);
            // Weights 100/0.9 = 111 and 100/0.1 = 1000: port 2 gets 90%.
            Assert.InRange(counts[2] / 10_000.0, 0.89, 0.91);
        }
    }

    [Fact]
    public void LeastRequestAvoidsTheEndpointWithCallsInFlight()
    {
        var (helper, policy) = Start("""{"least_request":{"choiceCount":2}}""", (1, null), (2, null));
        using (policy)
        {
            // Start (and never end) 10 calls on whichever endpoint port 1 is.
            var open = 0;
            while (open < 10)
            {
                var result = helper.Pick();
                if (((IPEndPoint)result.Subchannel!.Address.EndPoint).Port == 1)
                {
                    result.CallTracker!.OnCallStarted();
                    open++;
                }
            }

            // Two random choices with replacement: port 1 wins only when drawn twice (1/4).
            var counts = Count(helper, 20_000);
            Assert.InRange(counts.GetValueOrDefault(1) / 20_000.0, 0.22, 0.28);
        }
    }

    [Fact]
    public void RandomSpreadsEvenly()
    {
        var (helper, policy) = Start("""{"random":{}}""", (1, null), (2, null), (3, null));
        using (policy)
        {
            Assert.All(Count(helper, 30_000).Values, c => Assert.InRange(c / 30_000.0, 0.31, 0.36));
        }
    }

    private static Func<PickContext> WithKey(string key) => () =>
    {
        var request = new HttpRequestMessage();
        request.Headers.TryAddWithoutValidation("x-user", key);
        return new PickContext(request);
    };

    [Fact]
    public void RingHashKeepsAKeyOnOneEndpointAndMovesAboutOneNthWhenOneIsRemoved()
    {
        const string config = """{"ring_hash":{"requestHashHeader":"x-user"}}""";
        var (helper, policy) = Start(config, (1, null), (2, null), (3, null), (4, null));
        Dictionary<string, int> before;
        using (policy)
        {
            before = Enumerable.Range(0, 2000).Select(i => $"user-{i}").ToDictionary(k => k, k => Count(helper, 1, WithKey(k)).Keys.Single());
            Assert.All(before.Keys.Take(50), k => Assert.Equal(before[k], Count(helper, 5, WithKey(k)).Keys.Single())); // stable
            Assert.All(new[] { 1, 2, 3, 4 }, p => Assert.InRange(before.Values.Count(v => v == p) / 2000.0, 0.15, 0.35)); // spread
        }

        var (after, policy2) = Start(config, (1, null), (2, null), (4, null));
        using (policy2)
        {
            var moved = before.Keys.Where(k => Count(after, 1, WithKey(k)).Keys.Single() != before[k]).ToList();
            var kept = before.Keys.Where(k => before[k] != 3).ToList();

            // About 1/N of the keys move: all of the removed endpoint's, and few others (gRFC A42's ring gives each
            // remaining endpoint a few more entries, which take some keys from their neighbours).
            Assert.All(before.Keys.Where(k => before[k] == 3), k => Assert.Contains(k, moved));
            Assert.InRange(moved.Count / 2000.0, 0.18, 0.40);
            Assert.True(kept.Count(moved.Contains) < 0.15 * kept.Count, $"{kept.Count(moved.Contains)} of {kept.Count} keys of remaining endpoints moved");
        }
    }

    [Fact]
    public void WithoutAKeyCallsSpreadAsTheRingsSharesSay()
    {
        // 20 endpoints, 20,000 keyless picks: a chi-square test of the counts against each endpoint's share of the
        // ring. 64 is the 1-in-a-million critical value for 19 degrees of freedom; a random hash drawn from half the
        // ring scores in the thousands.
        var ports = Enumerable.Range(1, 20).ToArray();
        var (helper, policy) = Start("""{"ring_hash":{}}""", ports.Select(p => (p, (int?)null)).ToArray());
        using (policy)
        {
            var shares = Ring.Build(ports.Select(p => new BackendEndpoint(new BackendAddress(new IPEndPoint(IPAddress.Loopback, p)))).ToArray(), 1024, 4096).Shares(ports.Length);
            Assert.Equal(1.0, shares.Sum(), 9);
            const int picks = 20_000;
            var counts = Count(helper, picks);
            var chiSquare = ports.Select((p, i) => Math.Pow(counts.GetValueOrDefault(p) - (picks * shares[i]), 2) / (picks * shares[i])).Sum();
            Assert.True(chiSquare < 64, $"chi-square {chiSquare:0.0} against the ring's shares");
        }
    }

    [Fact]
    public void WithoutAKeyEveryEndpointOfALargeRingGetsCallsAsOftenAsItsShareSays()
    {
        // The reported case: 1,000 endpoints, 10,000 calls. Endpoints left without a call should be as many as the
        // shares predict (the sum over endpoints of (1 - share)^calls), not hundreds.
        var ports = Enumerable.Range(1, 1000).ToArray();
        var (helper, policy) = Start("""{"ring_hash":{}}""", ports.Select(p => (p, (int?)null)).ToArray());
        using (policy)
        {
            var shares = Ring.Build(ports.Select(p => new BackendEndpoint(new BackendAddress(new IPEndPoint(IPAddress.Loopback, p)))).ToArray(), 1024, 4096).Shares(ports.Length);
            const int calls = 10_000;
            var counts = Count(helper, calls);
            var expectedIdle = shares.Sum(s => Math.Pow(1 - s, calls));
            var idle = ports.Count(p => !counts.ContainsKey(p));
            Assert.True(idle <= expectedIdle + (6 * Math.Sqrt(expectedIdle)) + 3, $"{idle} endpoints got no call; the ring's shares predict {expectedIdle:0.0}");
            var busiest = ports.Select((p, i) => (Count: counts.GetValueOrDefault(p), Expected: calls * shares[i])).MaxBy(x => x.Count);
            Assert.True(busiest.Count <= busiest.Expected + (6 * Math.Sqrt(busiest.Expected)) + 3, $"the busiest endpoint got {busiest.Count}, its share predicts {busiest.Expected:0.0}");
        }
    }

    [Fact]
    public void RingHashFallsForwardPastAFailedEndpoint()
    {
        var (helper, policy) = Start("""{"ring_hash":{"requestHashHeader":"x-user"}}""", (1, null), (2, null), (3, null));
        using (policy)
        {
            var owner = Count(helper, 1, WithKey("k")).Keys.Single();
            helper.Subchannels.Single(s => ((IPEndPoint)s.Address.EndPoint).Port == owner).Set(ConnectivityState.TransientFailure, "down");
            var next = Count(helper, 5, WithKey("k"));
            Assert.Single(next);
            Assert.NotEqual(owner, next.Keys.Single());
        }
    }

    [Fact]
    public void RingSizeFollowsTheBoundsAndWeights()
    {
        var endpoints = new[] { 1, 2 }.Select(p => new BackendEndpoint(new BackendAddress(new IPEndPoint(IPAddress.Loopback, p)))).ToArray();
        Assert.Equal(1024, Ring.Build(endpoints, 1024, 4096).Count);
        var weighted = new[]
        {
            new BackendEndpoint(new BackendAddress(new IPEndPoint(IPAddress.Loopback, 1)), Attributes.Empty.With(EndpointAttributes.Weight, 1)),
            new BackendEndpoint(new BackendAddress(new IPEndPoint(IPAddress.Loopback, 2)), Attributes.Empty.With(EndpointAttributes.Weight, 3)),
        };
        var ring = Ring.Build(weighted, 100, 4096);
        var second = Enumerable.Range(0, ring.Count).Count(i => ring.EndpointAt(i) == 1);
        Assert.InRange(second / (double)ring.Count, 0.74, 0.76);
        Assert.Equal(4096, Ring.Build(weighted, 4096, 4096).Count);
    }

    [Theory]
    [InlineData("""{"least_request":{"choiceCount":1}}""", "loadBalancingConfig[0].least_request.choiceCount")]
    [InlineData("""{"ring_hash":{"minRingSize":5000,"maxRingSize":10}}""", "loadBalancingConfig[0].ring_hash.minRingSize")]
    [InlineData("""{"ring_hash":{"requestHashHeader":"key-bin"}}""", "loadBalancingConfig[0].ring_hash.requestHashHeader")]
    [InlineData("""{"weighted_round_robin":{"enableOobLoadReport":true}}""", "loadBalancingConfig[0].weighted_round_robin.enableOobLoadReport")]
    [InlineData("""{"weighted_round_robin":{"errorUtilizationPenalty":-1}}""", "loadBalancingConfig[0].weighted_round_robin.errorUtilizationPenalty")]
    public void BadPolicyConfigsNameTheField(string policy, string field)
        => Assert.Equal(field, Assert.Throws<ServiceConfigException>(() => Parse(policy)).FieldPath);

    [Fact]
    public void PolicyConfigDefaults()
    {
        Assert.Equal(10, ((LeastRequestConfig)Parse("""{"least_request":{"choiceCount":50}}""")).ChoiceCount); // capped (gRFC A48)
        var wrr = (WeightedRoundRobinConfig)Parse("""{"weighted_round_robin":{}}""");
        Assert.Equal(TimeSpan.FromSeconds(10), wrr.BlackoutPeriod);
        Assert.Equal(TimeSpan.FromMinutes(3), wrr.WeightExpirationPeriod);
        Assert.Equal(TimeSpan.FromSeconds(1), wrr.WeightUpdatePeriod);
        Assert.Equal(TimeSpan.FromMilliseconds(100), ((WeightedRoundRobinConfig)Parse("""{"weighted_round_robin":{"weightUpdatePeriod":"0.01s"}}""")).WeightUpdatePeriod);
        var ring = (RingHashConfig)Parse("""{"ring_hash":{}}""");
        Assert.Equal((1024, 4096), (ring.MinRingSize, ring.MaxRingSize));
        Assert.IsType<RandomConfig>(Parse("""{"random":{}}"""));
    }
}
