using System.Net;
using Proxyless.Balancing;
using Proxyless.Balancing.Policies.RoundRobin;
using Proxyless.Configuration;
using Proxyless.Resolution;
using Proxyless.Tests.Support;

namespace Proxyless.Tests.Unit;

/// <summary>
/// Policy work at thousands of endpoints stays proportional to what changed: a resolver update leaves unchanged
/// endpoints alone and starts new ones in batches, and a connect storm costs O(1) per child state change.
/// </summary>
public class ScaleTests
{
    private static BackendEndpoint Endpoint(int n) => new(new BackendAddress(new IPEndPoint(new IPAddress([127, 3, (byte)(n / 250), (byte)((n % 250) + 1)]), 9)));

    private static ChannelState State(IEnumerable<int> endpoints)
        => new(endpoints.Select(Endpoint).ToArray(), new RoundRobinConfig(), Attributes.Empty, ServiceConfig.Empty);

    private static int Port(FakeSubchannel s) => ((IPEndPoint)s.Address.EndPoint).Address.GetAddressBytes() is var b ? (b[2] * 250) + b[3] - 1 : -1;

    [Fact]
    public void AHugeUpdateIsPublishedBeforeAnyConnectionAttemptAndStartsInScheduledBatches()
    {
        var helper = new FakeHelper();
        using var policy = new RoundRobinLoadBalancerProvider().Create(helper);
        policy.UpdateChannelState(State(Enumerable.Range(0, 1000)));

        Assert.Empty(helper.Subchannels); // applied and published; no child has a policy or subchannel yet
        Assert.Equal(ConnectivityState.Connecting, helper.State);
        Assert.True(helper.RunNextScheduled());
        Assert.Equal(EndpointSharding.StartBatch, helper.Subchannels.Count); // one batch per scheduled turn
        helper.RunScheduled();
        Assert.Equal(1000, helper.Subchannels.Count);
        Assert.Equal(1000, helper.Subchannels.Select(Port).Distinct().Count());
    }

    [Fact]
    public void AnUpdateThatGrowsByLessThanABatchStartsItsNewEndpointsAtOnce()
    {
        var helper = new FakeHelper();
        using var policy = new RoundRobinLoadBalancerProvider().Create(helper);
        policy.UpdateChannelState(State(Enumerable.Range(0, EndpointSharding.StartBatch)));
        Assert.Equal(EndpointSharding.StartBatch, helper.Subchannels.Count);

        policy.UpdateChannelState(State(Enumerable.Range(0, EndpointSharding.StartBatch + 10)));
        Assert.Equal(EndpointSharding.StartBatch + 10, helper.Subchannels.Count);
    }

    [Fact]
    public void AnEndpointRemovedBeforeItsBatchStartedNeverConnectsAndAKeptOneStartsWithItsNewestAttributes()
    {
        var helper = new FakeHelper();
        using var policy = new RoundRobinLoadBalancerProvider().Create(helper);
        policy.UpdateChannelState(State(Enumerable.Range(0, 1000)));
        var key = new AttributeKey<string>("zone");
        var endpoints = Enumerable.Range(0, 1000).Where(n => n != 999).Select(Endpoint).ToArray();
        endpoints[998] = new BackendEndpoint([endpoints[998].Addresses[0].WithAttributes(Attributes.Empty.With(key, "b"))]);
        policy.UpdateChannelState(new ChannelState(endpoints, new RoundRobinConfig(), Attributes.Empty, ServiceConfig.Empty));
        helper.RunScheduled();

        Assert.Equal(999, helper.Subchannels.Count);
        Assert.DoesNotContain(helper.Subchannels, s => Port(s) == 999);
        Assert.Equal("b", helper.Subchannels.Single(s => Port(s) == 998).Address.Attributes.GetValueOrDefault(key, "none"));
    }

    [Fact]
    public void AnUpdateLeavesTheChildrenOfUnchangedEndpointsAlone()
    {
        var helper = new FakeHelper();
        using var policy = new RoundRobinLoadBalancerProvider().Create(helper);
        policy.UpdateChannelState(State(Enumerable.Range(0, 1000)));
        helper.RunScheduled();
        var requestsBefore = helper.Subchannels.ToDictionary(Port, s => s.ConnectRequests);

        // 1% churn: 10 endpoints leave, 10 arrive.
        policy.UpdateChannelState(State(Enumerable.Range(10, 1000)));
        helper.RunScheduled();

        Assert.Equal(1010, helper.Subchannels.Count);                                          // 10 new subchannels
        Assert.All(helper.Subchannels.Where(s => Port(s) < 10), s => Assert.True(s.IsShutdown)); // 10 removed
        Assert.All(helper.Subchannels.Where(s => Port(s) is >= 10 and < 1000), s => Assert.Equal(requestsBefore[Port(s)], s.ConnectRequests)); // untouched
    }

    [Fact]
    public void AConnectStormCostsConstantWorkPerStateChangeWhileAReadyEndpointStands()
    {
        const int endpoints = 2000;
        var helper = new FakeHelper();
        using var policy = new RoundRobinLoadBalancerProvider().Create(helper);
        policy.UpdateChannelState(State(Enumerable.Range(0, endpoints)));
        helper.RunScheduled();
        helper.Subchannels[0].Set(ConnectivityState.Ready);
        var pickers = helper.Updates.Count;
        var scheduled = helper.ScheduledCount;

        // Every other endpoint fails, goes idle at the end of its backoff, and is asked to connect again.
        foreach (var subchannel in helper.Subchannels.Skip(1))
        {
            subchannel.Set(ConnectivityState.TransientFailure, "refused");
            subchannel.Set(ConnectivityState.Idle, "refused");
        }

        Assert.Equal(pickers, helper.Updates.Count); // the READY set never changed: no picker was rebuilt
        Assert.True(helper.ScheduledCount - scheduled <= endpoints, $"{helper.ScheduledCount - scheduled} actions scheduled for {endpoints} endpoints");
        Assert.All(helper.Subchannels.Skip(1), s => Assert.Equal(ConnectivityState.Connecting, s.State.State)); // all retrying
    }

    [Fact]
    public void EndpointsThatGoIdleAreAskedToReconnectOneEachNotAllOnEveryChange()
    {
        const int endpoints = 500;
        var helper = new FakeHelper();
        using var policy = new RoundRobinLoadBalancerProvider().Create(helper);
        policy.UpdateChannelState(State(Enumerable.Range(0, endpoints)));
        helper.RunScheduled();
        foreach (var subchannel in helper.Subchannels)
        {
            subchannel.Set(ConnectivityState.Ready);
        }

        var scheduled = helper.ScheduledCount;
        foreach (var subchannel in helper.Subchannels.Skip(1))
        {
            subchannel.Set(ConnectivityState.Idle); // connection lost
        }

        Assert.Equal(endpoints - 1, helper.ScheduledCount - scheduled); // quadratic before: every idle child on every change
        Assert.All(helper.Subchannels.Skip(1), s => Assert.Equal(ConnectivityState.Connecting, s.State.State));
    }

    [Fact]
    public void WithNoneReadyAFailingPickerIsPublishedOnlyWhenTheAggregateStateChanges()
    {
        var helper = new FakeHelper();
        using var policy = new RoundRobinLoadBalancerProvider().Create(helper);
        policy.UpdateChannelState(State(Enumerable.Range(0, 500)));
        helper.RunScheduled();
        var before = helper.Updates.Count;
        foreach (var subchannel in helper.Subchannels)
        {
            subchannel.Set(ConnectivityState.TransientFailure, $"{subchannel.Address} refused");
        }

        var failing = helper.Updates.Skip(before).ToList();
        Assert.Single(failing, u => u.State == ConnectivityState.TransientFailure); // once, when the last one failed
        var ex = helper.Pick();
        Assert.Equal(PickResultType.Fail, ex.Type);
        Assert.Matches(@"^round_robin: 127\.3\.\d+\.\d+:9 refused$", ex.Status.Detail); // the current error of a real endpoint
    }
}
