using System.Net;
using Proxyless.Balancing;
using Proxyless.Balancing.Policies.P2cEwma;
using Proxyless.Configuration;
using Proxyless.Resolution;
using Proxyless.Tests.Support;
using static Proxyless.Tests.Support.PolicyHarness;

namespace Proxyless.Tests.Unit.Balancing.Policies;

/// <summary>
/// p2c_ewma on a fake clock: the estimate is an EWMA weighted by the time since the previous sample and never changes
/// on reads; peak mode jumps to a slower sample; a fast failure counts as the error penalty; two distinct choices keep
/// a slow endpoint out; an endpoint not picked for the probe interval gets exactly one call.
/// </summary>
public class P2cEwmaLoadBalancerTests
{
    private static (FakeHelper Helper, LoadBalancer Policy) Start(string config, params int[] ports)
        => PolicyHarness.Start($$"""{"p2c_ewma":{{config}}}""", [.. ports.Select(p => (p, (int?)null))]);

    private static int Port(PickResult result) => ((IPEndPoint)result.Subchannel!.Address.EndPoint).Port;

    // One call through the picker: response headers after latencyMs, then the end with the status.
    private static int Call(FakeHelper helper, Func<int, double> latencyMs, StatusCode status = StatusCode.OK)
    {
        var result = helper.Pick();
        var port = Port(result);
        var tracker = result.CallTracker!;
        tracker.OnCallStarted();
        if (status == StatusCode.OK)
        {
            tracker.OnResponseHeaders(TimeSpan.FromMilliseconds(latencyMs(port)));
        }

        tracker.OnCallEnded(new CallCompletion(new Status(status, ""), null, TimeSpan.FromMilliseconds(latencyMs(port))));
        return port;
    }

    // count calls with `concurrency` of them in flight at a time (each ends when it is the oldest): the ports picked.
    private static List<int> Overlapping(FakeHelper helper, Func<int, double> latencyMs, int count, int concurrency)
    {
        var ports = new List<int>();
        var open = new Queue<(ICallTracker Tracker, int Port)>();
        for (var i = 0; i < count; i++)
        {
            var result = helper.Pick();
            var port = Port(result);
            result.CallTracker!.OnCallStarted();
            open.Enqueue((result.CallTracker, port));
            ports.Add(port);
            if (open.Count == concurrency || i == count - 1)
            {
                while (open.Count > (i == count - 1 ? 0 : concurrency - 1))
                {
                    var (tracker, p) = open.Dequeue();
                    tracker.OnResponseHeaders(TimeSpan.FromMilliseconds(latencyMs(p)));
                    tracker.OnCallEnded(new CallCompletion(Status.DefaultSuccess, null, TimeSpan.FromMilliseconds(latencyMs(p))));
                }
            }
        }

        return ports;
    }

    [Fact]
    public void TheEstimateIsWeightedByTheTimeSinceThePreviousSampleAndReadsDoNotChangeIt()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var estimate = new LatencyEstimate(time) { Config = P2cEwmaConfig.Default };
        Assert.Equal(30, estimate.EstimateMs); // the default RTT before any sample
        estimate.Sample(10);
        Assert.Equal(10, estimate.EstimateMs);
        time.Advance(TimeSpan.FromSeconds(1)); // one decay time: the new sample weighs 1 - 1/e
        Assert.Equal(10, estimate.EstimateMs); // reading after time passed changes nothing
        estimate.Sample(30);
        Assert.Equal((10 / Math.E) + (30 * (1 - (1 / Math.E))), estimate.EstimateMs, 6);
        estimate.Sample(1000); // no time since the previous sample: weight 0
        Assert.Equal((10 / Math.E) + (30 * (1 - (1 / Math.E))), estimate.EstimateMs, 6);
    }

    [Fact]
    public void PeakModeTakesASlowerSampleAtOnceAndDecaysTowardsFasterOnes()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var config = (P2cEwmaConfig)Parse("""{"p2c_ewma":{"peak":true}}""");
        Assert.Equal((1.0, TimeSpan.FromSeconds(10)), (config.LatencyExponent, config.DecayTime));
        var estimate = new LatencyEstimate(time) { Config = config };
        estimate.Sample(10);
        time.Advance(TimeSpan.FromSeconds(10));
        estimate.Sample(50);
        Assert.Equal(50, estimate.EstimateMs);
        time.Advance(TimeSpan.FromSeconds(10));
        estimate.Sample(10);
        Assert.Equal((50 / Math.E) + (10 * (1 - (1 / Math.E))), estimate.EstimateMs, 6);
    }

    [Fact]
    public void AFastFailureCountsAsTheErrorPenalty()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var estimate = new LatencyEstimate(time) { Config = P2cEwmaConfig.Default };
        estimate.OnCallStarted();
        Assert.Equal(1, estimate.InFlight);
        estimate.OnCallEnded(new CallCompletion(new Status(StatusCode.Unavailable, "refused"), null, TimeSpan.FromMilliseconds(1)));
        Assert.Equal(0, estimate.InFlight);
        Assert.Equal(1000, estimate.EstimateMs);

        estimate.OnCallStarted();
        estimate.OnCallEnded(new CallCompletion(new Status(StatusCode.NotFound, "an answer"), null, TimeSpan.FromMilliseconds(1)));
        Assert.Equal(1000, estimate.EstimateMs); // an application's error is not a backend failure
    }

    [Fact]
    public void TwoDistinctChoicesKeepASlowEndpointOutExceptForItsProbes()
    {
        var (helper, policy) = Start("""{"probeInterval":"1s"}""", 1, 2, 3);
        using (policy)
        {
            double Latency(int port) => port == 3 ? 20 : 2;
            helper.Advance(TimeSpan.FromSeconds(1)); // none picked for a probe interval: the next three calls probe each
            Assert.Equal([1, 2, 3], Enumerable.Range(0, 3).Select(_ => Call(helper, Latency)).Order());

            // Within one probe interval (no clock movement), port 3 (20 ms against 2 ms) never wins a pair.
            var ports = Enumerable.Range(0, 1000).Select(_ => Call(helper, Latency)).ToList();
            Assert.DoesNotContain(3, ports);
            Assert.Contains(1, ports);
            Assert.Contains(2, ports);

            // Not picked for the probe interval: exactly one probe call, then it is out again.
            helper.Advance(TimeSpan.FromSeconds(1));
            ports = [.. Enumerable.Range(0, 1000).Select(_ => Call(helper, Latency))];
            Assert.Equal(1, ports.Count(p => p == 3));
        }
    }

    [Fact]
    public void ABackendThatRecoversIsFoundByItsProbeAndGetsCallsAgain()
    {
        var (helper, policy) = Start("""{"probeInterval":"1s","decayTime":"0.1s"}""", 1, 2);
        using (policy)
        {
            var slow = true;
            double Latency(int port) => port == 2 && slow ? 50 : 5;
            helper.Advance(TimeSpan.FromSeconds(1));
            Assert.Equal([1, 2], Enumerable.Range(0, 2).Select(_ => Call(helper, Latency)).Order()); // the first probes

            Assert.DoesNotContain(2, Enumerable.Range(0, 200).Select(_ => Call(helper, Latency)));
            slow = false; // port 2 recovers; only a probe can tell
            helper.Advance(TimeSpan.FromSeconds(1));
            Call(helper, Latency);
            Call(helper, Latency); // the probes: port 2's 5 ms, a second after its last sample, replaces its estimate

            // Equal estimates: calls in flight decide, so the share evens out.
            var ports = Overlapping(helper, Latency, 1000, concurrency: 4);
            Assert.InRange(ports.Count(p => p == 2), 300, 700);
        }
    }

    [Theory]
    [InlineData("""{"p2c_ewma":{"choiceCount":1}}""", "loadBalancingConfig[0].p2c_ewma.choiceCount")]
    [InlineData("""{"p2c_ewma":{"decayTime":"0s"}}""", "loadBalancingConfig[0].p2c_ewma.decayTime")]
    [InlineData("""{"p2c_ewma":{"latencyExponent":-1}}""", "loadBalancingConfig[0].p2c_ewma.latencyExponent")]
    [InlineData("""{"p2c_ewma":{"probeInterval":"soon"}}""", "loadBalancingConfig[0].p2c_ewma.probeInterval")]
    public void BadConfigsNameTheField(string policy, string field)
        => Assert.Equal(field, Assert.Throws<ServiceConfigException>(() => Parse(policy)).FieldPath);

    [Fact]
    public void TheDefaultsAreTheIssuesExample()
        => Assert.Equal(
            new P2cEwmaConfig(2, TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(30), 3, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)),
            Parse("""{"p2c_ewma":{"choiceCount":2,"decayTime":"1s","defaultRtt":"0.03s","latencyExponent":3,"errorPenalty":"1s","probeInterval":"1s"}}"""));
}
