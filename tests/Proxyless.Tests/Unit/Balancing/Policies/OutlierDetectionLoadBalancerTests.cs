using System.Net;
using Proxyless.Balancing;
using Proxyless.Configuration;
using Proxyless.Diagnostics;
using Proxyless.Resolution;
using Proxyless.Tests.Support;

namespace Proxyless.Tests.Unit.Balancing.Policies;

/// <summary>
/// outlier_detection (gRFC A50) on a fake clock, round_robin as the child, five backends on ports 1 to 5, every call's
/// outcome fed through the pick's call tracker: both ejection algorithms, the ejection time, its multiplier and cap,
/// max ejection percent, and un-ejection. The interval is 10 s, so ejection checks run at t = 10 s, 20 s, ...
/// </summary>
public class OutlierDetectionLoadBalancerTests
{
    private static readonly int[] Ports = [1, 2, 3, 4, 5];

    private static (FakeHelper Helper, LoadBalancer Policy) Start(string outlierConfig)
    {
        var helper = new FakeHelper();
        var json = $$$"""{"loadBalancingConfig":[{"outlier_detection":{"interval":"10s",{{{outlierConfig}}},"childPolicy":[{"round_robin":{}}]}}]}""";
        var selection = LoadBalancerRegistry.CreateDefault().SelectPolicy(ServiceConfig.Parse(json));
        var policy = selection.Provider.Create(helper);
        var endpoints = Ports.Select(p => new BackendEndpoint(new BackendAddress(new IPEndPoint(IPAddress.Loopback, p)))).ToArray();
        policy.UpdateChannelState(new ChannelState(endpoints, selection.Config, Attributes.Empty, ServiceConfig.Empty));
        foreach (var subchannel in helper.Subchannels)
        {
            subchannel.Set(ConnectivityState.Ready);
        }

        return (helper, policy);
    }

    // Makes calls through the picker; each ends with the status outcome(port) gives it. Returns the calls per port.
    private static Dictionary<int, int> Calls(FakeHelper helper, int count, Func<int, int, StatusCode> outcome)
    {
        var perPort = new Dictionary<int, int>();
        for (var i = 0; i < count; i++)
        {
            var result = helper.Pick();
            var port = ((IPEndPoint)result.Subchannel!.Address.EndPoint).Port;
            var n = perPort.GetValueOrDefault(port);
            perPort[port] = n + 1;
            result.CallTracker!.OnCallStarted();
            result.CallTracker.OnCallEnded(new CallCompletion(new Status(outcome(port, n), ""), null, TimeSpan.Zero));
        }

        return perPort;
    }

    // The backends the picker chooses now (picks only: no call is made, so no outcome is counted).
    private static HashSet<int> Picked(FakeHelper helper) => [.. Enumerable.Range(0, 100).Select(_ => ((IPEndPoint)helper.Pick().Subchannel!.Address.EndPoint).Port)];

    private static StatusCode Fails(int port, int n, int failingPort, int failuresPerTen) => port == failingPort && n % 10 < failuresPerTen ? StatusCode.Unavailable : StatusCode.OK;

    [Fact]
    public void FailurePercentageEjectsABackendAboveTheThresholdAndOnlyIt()
    {
        var (helper, policy) = Start("""
            "failurePercentageEjection":{"threshold":85,"requestVolume":50,"minimumHosts":5},"maxEjectionPercent":50
            """);
        using (policy)
        {
            Calls(helper, 500, (port, n) => Fails(port, n, failingPort: 5, failuresPerTen: 9)); // port 5: 90% fail
            Assert.Contains(5, Picked(helper)); // nothing happens before the interval ends
            helper.Advance(TimeSpan.FromSeconds(10));

            Assert.Equal([1, 2, 3, 4], Picked(helper).Order());
        }
    }

    [Fact]
    public void FailurePercentageLeavesABackendAtTheThresholdAndNeedsEnoughHostsAndCalls()
    {
        var (helper, policy) = Start("""
            "failurePercentageEjection":{"threshold":80,"requestVolume":50,"minimumHosts":5},"maxEjectionPercent":50
            """);
        using (policy)
        {
            Calls(helper, 500, (port, n) => Fails(port, n, failingPort: 5, failuresPerTen: 8)); // exactly 80%: not above
            helper.Advance(TimeSpan.FromSeconds(10));
            Assert.Contains(5, Picked(helper));

            Calls(helper, 200, (port, n) => Fails(port, n, failingPort: 5, failuresPerTen: 10)); // 40 calls each: under requestVolume
            helper.Advance(TimeSpan.FromSeconds(10));
            Assert.Contains(5, Picked(helper));
        }
    }

    [Fact]
    public void SuccessRateEjectsABackendFarBelowTheMean()
    {
        // Rates 1, 1, 1, 1 and 0.5: mean 0.9, stdev 0.2, threshold 0.9 - 0.2 x 1.9 = 0.52.
        var (helper, policy) = Start("""
            "successRateEjection":{"stdevFactor":1900,"requestVolume":100,"minimumHosts":5},"maxEjectionPercent":50
            """);
        using (policy)
        {
            Calls(helper, 500, (port, n) => Fails(port, n, failingPort: 3, failuresPerTen: 5));
            helper.Advance(TimeSpan.FromSeconds(10));
            Assert.Equal([1, 2, 4, 5], Picked(helper).Order());
        }
    }

    [Fact]
    public void SuccessRateLeavesAllAloneWhenTheSpreadIsSmall()
    {
        // Rates 1, 1, 1, 1 and 0.7 with stdevFactor 3000: threshold 0.94 - 0.12 x 3 = 0.58, and 0.7 is above it.
        var (helper, policy) = Start("""
            "successRateEjection":{"stdevFactor":3000,"requestVolume":100,"minimumHosts":5},"maxEjectionPercent":50
            """);
        using (policy)
        {
            Calls(helper, 500, (port, n) => Fails(port, n, failingPort: 3, failuresPerTen: 3));
            helper.Advance(TimeSpan.FromSeconds(10));
            Assert.Equal(Ports, Picked(helper).Order());
        }
    }

    [Fact]
    public void MaxEjectionPercentLimitsHowManyAreEjectedAtOnce()
    {
        var (helper, policy) = Start("""
            "failurePercentageEjection":{"threshold":50,"requestVolume":50,"minimumHosts":5},"maxEjectionPercent":20
            """);
        using (policy)
        {
            Calls(helper, 500, (port, n) => port is 4 or 5 ? StatusCode.Unavailable : StatusCode.OK);
            helper.Advance(TimeSpan.FromSeconds(10));
            var picked = Picked(helper);
            Assert.Equal(4, picked.Count); // one of the two failing backends: 1 of 5 is 20%
            Assert.True(picked.Contains(4) ^ picked.Contains(5));
        }
    }

    [Fact]
    public void EjectionLastsBaseTimesMultiplierCappedAtMaxAndThenTheBackendIsPickedAgain()
    {
        var (helper, policy) = Start("""
            "failurePercentageEjection":{"threshold":50,"requestVolume":10,"minimumHosts":1},"maxEjectionPercent":50,
            "baseEjectionTime":"30s","maxEjectionTime":"45s"
            """);
        using (policy)
        {
            StatusCode PortFiveFails(int port, int n) => port == 5 ? StatusCode.Unavailable : StatusCode.OK;

            // First ejection at t = 10 s (multiplier 1): 30 s, so back at the check of t = 40 s.
            Calls(helper, 100, PortFiveFails);
            helper.Advance(TimeSpan.FromSeconds(10));
            Assert.DoesNotContain(5, Picked(helper));
            helper.Advance(TimeSpan.FromSeconds(20)); // t = 30 s
            Assert.DoesNotContain(5, Picked(helper));
            helper.Advance(TimeSpan.FromSeconds(10)); // t = 40 s
            Assert.Contains(5, Picked(helper));

            // It fails again: ejected at t = 50 s with multiplier 2, so 60 s, capped at 45 s: back at the check of
            // t = 100 s (95 s has passed), not t = 110 s.
            Calls(helper, 100, PortFiveFails);
            helper.Advance(TimeSpan.FromSeconds(10)); // t = 50 s
            Assert.DoesNotContain(5, Picked(helper));
            helper.Advance(TimeSpan.FromSeconds(40)); // t = 90 s
            Assert.DoesNotContain(5, Picked(helper));
            helper.Advance(TimeSpan.FromSeconds(10)); // t = 100 s
            Assert.Contains(5, Picked(helper));
        }
    }

    [Fact]
    public void AnEjectionAndItsEndAreCountedOnceWithTheBackendAndAlgorithm()
    {
        using var metrics = new MetricRecorder(ProxylessMeters.Stable);
        var (helper, policy) = Start("""
            "failurePercentageEjection":{"threshold":50,"requestVolume":10,"minimumHosts":1},"maxEjectionPercent":50,
            "baseEjectionTime":"30s"
            """);
        using (policy)
        {
            Calls(helper, 100, (port, _) => port == 5 ? StatusCode.Unavailable : StatusCode.OK);
            helper.Advance(TimeSpan.FromSeconds(10));
            var ejection = Assert.Single(metrics.Of("proxyless.lb.outlier_detection.ejections", helper.Target));
            Assert.Equal(1, ejection.Value);
            Assert.Equal("127.0.0.1:5", ejection.Tags["proxyless.backend"]);
            Assert.Equal("failure_percentage", ejection.Tags["proxyless.ejection.reason"]);
            Assert.Empty(metrics.Of("proxyless.lb.outlier_detection.unejections", helper.Target));

            helper.Advance(TimeSpan.FromSeconds(30)); // t = 40 s: the ejection time is over
            var unejection = Assert.Single(metrics.Of("proxyless.lb.outlier_detection.unejections", helper.Target));
            Assert.Equal("127.0.0.1:5", unejection.Tags["proxyless.backend"]);
            Assert.Single(metrics.Of("proxyless.lb.outlier_detection.ejections", helper.Target));
        }
    }

    [Fact]
    public void DiagnosticsShowAnEjectionUntilItEndsOrEjectionIsTurnedOff()
    {
        var (helper, policy) = Start("""
            "failurePercentageEjection":{"threshold":50,"requestVolume":10,"minimumHosts":1},"maxEjectionPercent":50,
            "baseEjectionTime":"30s"
            """);
        using (policy)
        {
            Dictionary<string, string> Notes()
            {
                var notes = new Dictionary<string, string>();
                policy.DescribeEndpoints(notes);
                return notes;
            }

            Calls(helper, 100, (port, _) => port == 5 ? StatusCode.Unavailable : StatusCode.OK);
            helper.Advance(TimeSpan.FromSeconds(10));
            Assert.Equal("ejected", Notes()["127.0.0.1:5"]);
            helper.Advance(TimeSpan.FromSeconds(30)); // the ejection time is over
            Assert.Empty(Notes());

            Calls(helper, 100, (port, _) => port == 5 ? StatusCode.Unavailable : StatusCode.OK);
            helper.Advance(TimeSpan.FromSeconds(10));
            Assert.Equal("ejected", Notes()["127.0.0.1:5"]);

            // A config without an ejection algorithm un-ejects everything at once.
            var selection = LoadBalancerRegistry.CreateDefault().SelectPolicy(ServiceConfig.Parse(
                """{"loadBalancingConfig":[{"outlier_detection":{"interval":"10s","childPolicy":[{"round_robin":{}}]}}]}"""));
            var endpoints = Ports.Select(p => new BackendEndpoint(new BackendAddress(new IPEndPoint(IPAddress.Loopback, p)))).ToArray();
            policy.UpdateChannelState(new ChannelState(endpoints, selection.Config, Attributes.Empty, ServiceConfig.Empty));
            Assert.Empty(Notes());
        }
    }

    [Fact]
    public void TheMultiplierDecaysWhileTheBackendBehaves()
    {
        var (helper, policy) = Start("""
            "failurePercentageEjection":{"threshold":50,"requestVolume":10,"minimumHosts":1},"maxEjectionPercent":50,
            "baseEjectionTime":"30s","maxEjectionTime":"300s"
            """);
        using (policy)
        {
            StatusCode PortFiveFails(int port, int n) => port == 5 ? StatusCode.Unavailable : StatusCode.OK;
            Calls(helper, 100, PortFiveFails);
            helper.Advance(TimeSpan.FromSeconds(40)); // ejected at 10 s (multiplier 1), back at 40 s
            Assert.Contains(5, Picked(helper));

            helper.Advance(TimeSpan.FromSeconds(10)); // t = 50 s: a good interval, multiplier back to 0
            Calls(helper, 100, PortFiveFails);
            helper.Advance(TimeSpan.FromSeconds(10)); // t = 60 s: ejected with multiplier 1 again: 30 s
            Assert.DoesNotContain(5, Picked(helper));
            helper.Advance(TimeSpan.FromSeconds(30)); // t = 90 s
            Assert.Contains(5, Picked(helper));
        }
    }

    [Fact]
    public void CancelledCallsDoNotCountAgainstABackend()
    {
        var (helper, policy) = Start("""
            "failurePercentageEjection":{"threshold":50,"requestVolume":10,"minimumHosts":1},"maxEjectionPercent":50
            """);
        using (policy)
        {
            Calls(helper, 100, (port, _) => port == 5 ? StatusCode.Cancelled : StatusCode.OK);
            helper.Advance(TimeSpan.FromSeconds(10));
            Assert.Equal(Ports, Picked(helper).Order());
        }
    }
}
