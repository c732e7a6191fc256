using System.Net;
using Proxyless.Balancing;
using Proxyless.Balancing.Policies.RingHash;
using Proxyless.Resolution;
using Proxyless.Tests.Support;
using static Proxyless.Tests.Support.PolicyHarness;

namespace Proxyless.Tests.Unit.Balancing.Policies;

/// <summary>ring_hash (gRFC A42, A76) and its ring.</summary>
public class RingHashLoadBalancerTests
{
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
}
