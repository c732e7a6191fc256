using System.Net;
using Proxyless.Balancing;
using Proxyless.Balancing.Policies.PickFirst;
using Proxyless.Balancing.Policies.RoundRobin;
using Proxyless.Calls;
using Proxyless.Configuration;
using Proxyless.Resolution;
using Proxyless.Tests.Support;

namespace Proxyless.Tests.Unit.Balancing;

/// <summary>
/// Policy work at thousands of endpoints stays proportional to what changed: a resolver update leaves unchanged
/// endpoints alone and starts new ones in batches, and a connect storm costs O(1) per child state change.
/// </summary>
public class EndpointShardingTests
{
    private static BackendEndpoint Endpoint(int n) => new(new BackendAddress(new IPEndPoint(new IPAddress([127, 3, (byte)(n / 250), (byte)((n % 250) + 1)]), 9)));

    private static ChannelState State(IEnumerable<int> endpoints)
        => new(endpoints.Select(Endpoint).ToArray(), new RoundRobinConfig(), Attributes.Empty, ServiceConfig.Empty);

    // Runs the scheduled start batches, and the stall timer each time the window of first attempts is full (no fake
    // subchannel answers on its own), until every child has started.
    private static void StartEveryChild(FakeHelper helper)
    {
        do
        {
            helper.RunScheduled();
        }
        while (helper.FireTimers() > 0);
    }

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
        StartEveryChild(helper);
        Assert.Equal(1000, helper.Subchannels.Count);
        Assert.Equal(1000, helper.Subchannels.Select(Port).Distinct().Count());
    }

    [Fact]
    public void AtMostABatchOfChildrenAreInTheirFirstConnectionAttemptAndMoreStartAsTheyAnswer()
    {
        var helper = new FakeHelper();
        using var policy = new RoundRobinLoadBalancerProvider().Create(helper);
        policy.UpdateChannelState(State(Enumerable.Range(0, 1000)));
        helper.RunScheduled();
        Assert.Equal(EndpointSharding.StartBatch, helper.Subchannels.Count); // the window is full: nothing more starts

        foreach (var subchannel in helper.Subchannels.Take(10))
        {
            subchannel.Set(ConnectivityState.TransientFailure, "refused");
        }

        helper.Subchannels[10].Set(ConnectivityState.Ready);
        helper.RunScheduled();
        Assert.Equal(EndpointSharding.StartBatch + 11, helper.Subchannels.Count); // one more for each answer, failed or READY

        // The same endpoint failing again (a retry after backoff) is not a first attempt: it frees no place.
        helper.Subchannels[0].Set(ConnectivityState.Idle, "refused");
        helper.Subchannels[0].Set(ConnectivityState.TransientFailure, "refused");
        helper.RunScheduled();
        Assert.Equal(EndpointSharding.StartBatch + 11, helper.Subchannels.Count);
    }

    [Fact]
    public void AddressesThatNeverAnswerHoldTheNextBatchOnlyForTheStallDelay()
    {
        var helper = new FakeHelper();
        using var policy = new RoundRobinLoadBalancerProvider().Create(helper);
        policy.UpdateChannelState(State(Enumerable.Range(0, 1000)));
        helper.RunScheduled();
        Assert.Equal(EndpointSharding.StartBatch, helper.Subchannels.Count);

        helper.Advance(EndpointSharding.StartStallDelay - TimeSpan.FromMilliseconds(1));
        Assert.Equal(EndpointSharding.StartBatch, helper.Subchannels.Count);
        helper.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(2 * EndpointSharding.StartBatch, helper.Subchannels.Count);
        helper.Advance(2 * EndpointSharding.StartStallDelay);
        Assert.Equal(1000, helper.Subchannels.Count);
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
        StartEveryChild(helper);

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
        StartEveryChild(helper);
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
        StartEveryChild(helper);
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
        StartEveryChild(helper);
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
        StartEveryChild(helper);
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

    private static BackendAddress A(string text) => new(IPEndPoint.Parse(text));

    private static ChannelState State(params BackendEndpoint[] endpoints)
        => new(endpoints, new PickFirstConfig(), Attributes.Empty, ServiceConfig.Empty);

    [Fact]
    public void EndpointShardingAddsKeepsAndRemovesChildren()
    {
        var helper = new FakeHelper();
        var changes = new List<IReadOnlyList<EndpointChild>>();
        using var sharding = new EndpointSharding(helper, PickFirstLoadBalancerProvider.Default, c => changes.Add(c.ToList()));
        var e1 = new BackendEndpoint([A("[::1]:1"), A("127.0.0.1:1")]);
        var e2 = new BackendEndpoint(A("127.0.0.1:2"));
        var e3 = new BackendEndpoint(A("127.0.0.1:3"));

        Assert.Equal(StatusCode.OK, sharding.Update(State(e1, e2)).StatusCode);
        Assert.Equal(2, sharding.Children.Count);
        Assert.Single(changes); // one callback per update, not one per child
        var first = sharding.Children[0];

        // Same address set in another order: the same child is kept.
        sharding.Update(State(new BackendEndpoint([A("127.0.0.1:1"), A("[::1]:1")]), e3));
        Assert.Same(first, sharding.Children[0]);
        Assert.Equal("127.0.0.1:3", sharding.Children[1].Endpoint.ToString());
        Assert.True(helper.Get("127.0.0.1:2").IsShutdown); // the removed endpoint's child shut its subchannel

        helper.Get("127.0.0.1:3").Set(ConnectivityState.Ready);
        Assert.Equal(ConnectivityState.Ready, changes[^1][1].State);
        Assert.Equal(ConnectivityState.Ready, EndpointSharding.AggregateState(sharding.Children));

        Assert.NotEqual(StatusCode.OK, sharding.Update(State()).StatusCode);
        Assert.Empty(sharding.Children);
        Assert.True(helper.Get("127.0.0.1:3").IsShutdown);
    }

    [Theory]
    [InlineData(new[] { ConnectivityState.Ready, ConnectivityState.TransientFailure }, ConnectivityState.Ready)]
    [InlineData(new[] { ConnectivityState.Connecting, ConnectivityState.TransientFailure }, ConnectivityState.Connecting)]
    [InlineData(new[] { ConnectivityState.Idle, ConnectivityState.TransientFailure }, ConnectivityState.Idle)]
    [InlineData(new[] { ConnectivityState.Idle, ConnectivityState.Connecting }, ConnectivityState.Connecting)]
    [InlineData(new[] { ConnectivityState.TransientFailure, ConnectivityState.TransientFailure }, ConnectivityState.TransientFailure)]
    [InlineData(new ConnectivityState[0], ConnectivityState.TransientFailure)]
    public void AggregateStateFollowsGrpcRules(ConnectivityState[] children, ConnectivityState expected)
    {
        var list = children.Select((s, i) => new EndpointChild(new BackendEndpoint(new BackendAddress("127.0.0.1", i + 1)), i.ToString()) { State = s }).ToList();
        Assert.Equal(expected, EndpointSharding.AggregateState(list));
    }
}
