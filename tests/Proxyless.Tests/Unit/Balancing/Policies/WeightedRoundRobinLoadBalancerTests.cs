using System.Net;
using Google.Protobuf;
using Proxyless.Balancing;
using Proxyless.Configuration;
using Proxyless.Diagnostics;
using Proxyless.Orca;
using Proxyless.Resolution;
using Proxyless.Tests.Support;

namespace Proxyless.Tests.Unit.Balancing.Policies;

/// <summary>
/// weighted_round_robin's time-driven rules (gRFC A58) on a fake clock: an ORCA weight counts only after the
/// blackout period, expires when no report refreshes it, and while no READY endpoint has a usable weight the static
/// weights apply. Port 1 has static weight 3 and reports 90% CPU; port 2 has static weight 1 and reports 10% CPU, both
/// at 100 qps, so static weights give port 1 75% of calls and ORCA weights give port 2 90%.
/// </summary>
public class WeightedRoundRobinLoadBalancerTests
{
    private static (FakeHelper Helper, LoadBalancer Policy) Start(string config)
    {
        var helper = new FakeHelper();
        var selection = LoadBalancerRegistry.CreateDefault().SelectPolicy(ServiceConfig.Parse($$"""{"loadBalancingConfig":[{"weighted_round_robin":{{config}}}]}"""));
        var policy = selection.Provider.Create(helper);
        BackendEndpoint Endpoint(int port, int weight) => new(new BackendAddress(new IPEndPoint(IPAddress.Loopback, port)), Attributes.Empty.With(EndpointAttributes.Weight, weight));
        policy.UpdateChannelState(new ChannelState([Endpoint(1, 3), Endpoint(2, 1)], selection.Config, Attributes.Empty, ServiceConfig.Empty));
        foreach (var subchannel in helper.Subchannels)
        {
            subchannel.Set(ConnectivityState.Ready);
        }

        return (helper, policy);
    }

    // Calls whose trailers carry their backend's load report.
    private static void Report(FakeHelper helper, int calls = 20)
    {
        for (var i = 0; i < calls; i++)
        {
            var result = helper.Pick();
            var port = ((IPEndPoint)result.Subchannel!.Address.EndPoint).Port;
            var trailers = new HttpResponseMessage().TrailingHeaders;
            trailers.TryAddWithoutValidation(OrcaTrailer.Name, Convert.ToBase64String(new OrcaLoadReport { CpuUtilization = port == 1 ? 0.9 : 0.1, RpsFractional = 100 }.ToByteArray()));
            result.CallTracker!.OnCallEnded(new CallCompletion(Status.DefaultSuccess, trailers, TimeSpan.Zero));
        }
    }

    private static double ShareOfPort2(FakeHelper helper)
    {
        const int picks = 10_000;
        var port2 = Enumerable.Range(0, picks).Count(_ => ((IPEndPoint)helper.Pick().Subchannel!.Address.EndPoint).Port == 2);
        return port2 / (double)picks;
    }

    [Fact]
    public void OrcaWeightsCountOnlyAfterTheBlackoutPeriodAndStaticWeightsApplyUntilThen()
    {
        var (helper, policy) = Start("""{"blackoutPeriod":"10s","weightUpdatePeriod":"1s"}""");
        using (policy)
        {
            Assert.InRange(ShareOfPort2(helper), 0.24, 0.26); // static 3:1
            for (var second = 1; second <= 9; second++)
            {
                Report(helper);
                helper.Advance(TimeSpan.FromSeconds(1));
                if (second < 9)
                {
                    Assert.InRange(ShareOfPort2(helper), 0.24, 0.26); // reported for less than 10 s: still static
                }
            }

            Report(helper);
            helper.Advance(TimeSpan.FromSeconds(1)); // 10 s since the first report
            Assert.InRange(ShareOfPort2(helper), 0.89, 0.91); // ORCA: 1000 vs 111
        }
    }

    [Fact]
    public void EachSchedulerUpdateRecordsA78sFallbackUsabilityStalenessAndWeights()
    {
        using var metrics = new MetricRecorder(ProxylessMeters.Experimental);
        var (helper, policy) = Start("""{"blackoutPeriod":"10s","weightExpirationPeriod":"60s","weightUpdatePeriod":"1s"}""");
        using (policy)
        {
            int Count(string name) => metrics.Of(name, helper.Target).Count;
            double Sum(string name) => metrics.Sum(name, helper.Target);

            // Before any report: every update falls back, and each READY endpoint is not yet usable, with weight 0.
            Assert.True(Count("grpc.lb.wrr.rr_fallback") >= 1);
            var (weights, fallbacks0) = (Count("grpc.lb.wrr.endpoint_weights"), Count("grpc.lb.wrr.rr_fallback"));
            helper.Advance(TimeSpan.FromSeconds(1)); // one scheduler update over both READY endpoints
            Assert.Equal(weights + 2, Count("grpc.lb.wrr.endpoint_weights"));
            Assert.Equal(fallbacks0 + 1, Count("grpc.lb.wrr.rr_fallback"));
            Assert.Equal(Count("grpc.lb.wrr.endpoint_weights"), Sum("grpc.lb.wrr.endpoint_weight_not_yet_usable"));
            Assert.Equal(0, Sum("grpc.lb.wrr.endpoint_weights"));

            Report(helper);
            helper.Advance(TimeSpan.FromSeconds(10)); // blackout over: weights 100/0.9 and 100/0.1
            Report(helper);
            var before = Count("grpc.lb.wrr.endpoint_weights");
            helper.Advance(TimeSpan.FromSeconds(1));
            var last = metrics.Of("grpc.lb.wrr.endpoint_weights", helper.Target).Skip(before).Select(m => Math.Round(m.Value, 1)).Order().ToArray();
            Assert.Equal([111.1, 1000.0], last);
            Assert.Equal(0, Sum("grpc.lb.wrr.endpoint_weight_stale"));
            var fallbacks = Count("grpc.lb.wrr.rr_fallback");

            helper.Advance(TimeSpan.FromSeconds(60)); // no report for 60 s: both stale, and RR again
            Assert.True(Sum("grpc.lb.wrr.endpoint_weight_stale") >= 2);
            Assert.True(Count("grpc.lb.wrr.rr_fallback") > fallbacks);
            Assert.All(metrics.Of("grpc.lb.wrr.rr_fallback", helper.Target), m => Assert.Equal("", m.Tags["grpc.lb.locality"]));
        }
    }

    [Fact]
    public void AWeightNotRefreshedForTheExpirationPeriodIsDroppedAndTheBlackoutStartsAgain()
    {
        var (helper, policy) = Start("""{"blackoutPeriod":"10s","weightExpirationPeriod":"60s","weightUpdatePeriod":"1s"}""");
        using (policy)
        {
            Report(helper);
            helper.Advance(TimeSpan.FromSeconds(10));
            Report(helper); // the last report
            helper.Advance(TimeSpan.FromSeconds(1));
            Assert.InRange(ShareOfPort2(helper), 0.89, 0.91);

            helper.Advance(TimeSpan.FromSeconds(58)); // 59 s since the last report
            Assert.InRange(ShareOfPort2(helper), 0.89, 0.91);
            helper.Advance(TimeSpan.FromSeconds(1)); // 60 s: expired, so static weights again
            Assert.InRange(ShareOfPort2(helper), 0.24, 0.26);

            Report(helper); // reports resume: a new blackout
            helper.Advance(TimeSpan.FromSeconds(9));
            Assert.InRange(ShareOfPort2(helper), 0.24, 0.26);
            Report(helper);
            helper.Advance(TimeSpan.FromSeconds(1));
            Assert.InRange(ShareOfPort2(helper), 0.89, 0.91);
        }
    }

    [Fact]
    public void ThePickerIsRebuiltEveryWeightUpdatePeriodAndNotBefore()
    {
        var (helper, policy) = Start("""{"blackoutPeriod":"0s","weightUpdatePeriod":"5s"}""");
        using (policy)
        {
            Report(helper);
            helper.Advance(TimeSpan.FromSeconds(4.9));
            Assert.InRange(ShareOfPort2(helper), 0.24, 0.26); // the weights exist, but the picker is not rebuilt yet
            helper.Advance(TimeSpan.FromSeconds(0.1));
            Assert.InRange(ShareOfPort2(helper), 0.89, 0.91);
        }
    }

    [Fact]
    public void WeightedRoundRobinUsesStaticWeightsWhenNoOrcaReportsArrive()
    {
        var (helper, policy) = PolicyHarness.Start("""{"weighted_round_robin":{}}""", (1, 3), (2, 1));
        using (policy)
        {
            var counts = PolicyHarness.Count(helper, 100_000);
            Assert.InRange(counts[1] / 100_000.0, 0.74, 0.76);
        }
    }

    [Fact]
    public void WeightedRoundRobinFollowsOrcaReportsAfterTheBlackout()
    {
        var (helper, policy) = PolicyHarness.Start("""{"weighted_round_robin":{"blackoutPeriod":"0s","weightUpdatePeriod":"0.1s"}}""", (1, null), (2, null));
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
            var counts = PolicyHarness.Count(helper, 10_000);
            // Weights 100/0.9 = 111 and 100/0.1 = 1000: port 2 gets 90%.
            Assert.InRange(counts[2] / 10_000.0, 0.89, 0.91);
        }
    }
}
