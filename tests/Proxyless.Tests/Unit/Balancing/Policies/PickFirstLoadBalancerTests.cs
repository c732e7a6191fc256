using System.Net;
using Proxyless.Balancing;
using Proxyless.Balancing.Policies.PickFirst;
using Proxyless.Configuration;
using Proxyless.Resolution;
using Proxyless.Tests.Support;

namespace Proxyless.Tests.Unit.Balancing.Policies;

/// <summary>pick_first (gRFC A61, A62): address order, Happy Eyeballs, sticky TRANSIENT_FAILURE, shuffling.</summary>
public class PickFirstLoadBalancerTests
{
    private static BackendAddress A(string text) => new(IPEndPoint.Parse(text));

    private static ChannelState State(params BackendEndpoint[] endpoints)
        => new(endpoints, new PickFirstConfig(), Attributes.Empty, ServiceConfig.Empty);

    [Fact]
    public void PickFirstTriesAddressesInOrderAndSticksToTheFirstThatConnects()
    {
        var helper = new FakeHelper();
        using var policy = new PickFirstLoadBalancerProvider().Create(helper);
        policy.UpdateChannelState(PolicyHarness.Endpoints(new PickFirstConfig(), ["127.0.0.1:1"], ["127.0.0.1:2"], ["127.0.0.1:3"]));

        Assert.Equal(ConnectivityState.Connecting, helper.State);
        var first = helper.Get("127.0.0.1:1");
        Assert.Equal(1, first.ConnectRequests);
        Assert.Single(helper.Subchannels); // one attempt at a time

        first.Set(ConnectivityState.TransientFailure, "refused 1");
        var second = helper.Get("127.0.0.1:2");
        Assert.Equal(ConnectivityState.Connecting, helper.State);
        second.Set(ConnectivityState.Ready);

        Assert.Equal(ConnectivityState.Ready, helper.State);
        var pick = helper.Pick();
        Assert.Equal(PickResultType.Complete, pick.Type);
        Assert.Same(second, pick.Subchannel);
        Assert.True(first.IsShutdown); // the losers are closed
        Assert.DoesNotContain(helper.Subchannels, s => s.Address.ToString() == "127.0.0.1:3");
    }

    [Fact]
    public void PickFirstStaysInTransientFailureUntilAnAddressConnects()
    {
        var helper = new FakeHelper();
        using var policy = new PickFirstLoadBalancerProvider().Create(helper);
        policy.UpdateChannelState(PolicyHarness.Endpoints(new PickFirstConfig(), ["127.0.0.1:1"], ["127.0.0.1:2"]));
        helper.Get("127.0.0.1:1").Set(ConnectivityState.TransientFailure, "refused 1");
        helper.Get("127.0.0.1:2").Set(ConnectivityState.TransientFailure, "refused 2");

        Assert.Equal(ConnectivityState.TransientFailure, helper.State);
        Assert.Equal(1, helper.RefreshCount);
        var failed = helper.Pick();
        Assert.Equal(PickResultType.Fail, failed.Type);
        Assert.Contains("refused 2", failed.Status.Detail);

        // Backoff ends: the subchannel goes IDLE and pick_first reconnects it, but the channel stays in TF (sticky).
        var updatesBefore = helper.Updates.Count;
        var first = helper.Get("127.0.0.1:1");
        first.Set(ConnectivityState.Idle, "refused 1");
        Assert.Equal(ConnectivityState.Connecting, first.State.State);
        Assert.DoesNotContain(helper.Updates.Skip(updatesBefore), u => u.State != ConnectivityState.TransientFailure);

        first.Set(ConnectivityState.Ready);
        Assert.Equal(ConnectivityState.Ready, helper.State);
    }

    [Fact]
    public void PickFirstGoesIdleWhenTheConnectionIsLostAndReconnectsOnThenNextPick()
    {
        var helper = new FakeHelper();
        using var policy = new PickFirstLoadBalancerProvider().Create(helper);
        policy.UpdateChannelState(PolicyHarness.Endpoints(new PickFirstConfig(), ["127.0.0.1:1"]));
        var sub = helper.Get("127.0.0.1:1");
        sub.Set(ConnectivityState.Ready);
        sub.Set(ConnectivityState.Idle, "connection lost");

        Assert.Equal(ConnectivityState.Idle, helper.State);
        Assert.Equal(1, helper.RefreshCount);
        Assert.Equal(PickResultType.Queue, helper.Pick().Type);
        helper.RunScheduled(); // the idle picker asked the policy to exit idle

        Assert.Equal(ConnectivityState.Connecting, helper.State);
        Assert.Same(sub, helper.Get("127.0.0.1:1")); // the idle subchannel is reused, not replaced
        Assert.Equal(ConnectivityState.Connecting, sub.State.State);
    }

    [Fact]
    public void PickFirstKeepsItsConnectionWhenTheAddressRemainsAfterAnUpdate()
    {
        var helper = new FakeHelper();
        using var policy = new PickFirstLoadBalancerProvider().Create(helper);
        policy.UpdateChannelState(PolicyHarness.Endpoints(new PickFirstConfig(), ["127.0.0.1:1"], ["127.0.0.1:2"]));
        var first = helper.Get("127.0.0.1:1");
        first.Set(ConnectivityState.Ready);
        var updates = helper.Updates.Count;

        policy.UpdateChannelState(PolicyHarness.Endpoints(new PickFirstConfig(), ["127.0.0.1:3"], ["127.0.0.1:1"]));
        Assert.Equal(updates, helper.Updates.Count);
        Assert.False(first.IsShutdown);
        Assert.Same(first, helper.Pick().Subchannel);
    }

    [Fact]
    public void PickFirstWithNoAddressesFailsAndAsksForReResolution()
    {
        var helper = new FakeHelper();
        using var policy = new PickFirstLoadBalancerProvider().Create(helper);
        var status = policy.UpdateChannelState(PolicyHarness.Endpoints(new PickFirstConfig()));
        Assert.NotEqual(StatusCode.OK, status.StatusCode);
        Assert.Equal(ConnectivityState.TransientFailure, helper.State);
        Assert.Contains("no addresses", helper.Pick().Status.Detail);
    }

    [Fact]
    public void PickFirstShuffleChangesTheOrderAcrossRuns()
    {
        var firstTried = new HashSet<string>();
        for (var i = 0; i < 50 && firstTried.Count < 2; i++)
        {
            var helper = new FakeHelper();
            using var policy = new PickFirstLoadBalancerProvider().Create(helper);
            policy.UpdateChannelState(PolicyHarness.Endpoints(new PickFirstConfig(ShuffleAddressList: true), ["127.0.0.1:1"], ["127.0.0.1:2"], ["127.0.0.1:3"]));
            firstTried.Add(helper.Subchannels[0].Address.ToString());
        }

        Assert.True(firstTried.Count >= 2, "shuffling should start with different addresses");
    }

    [Fact]
    public void FamiliesInterleaveStartingWithTheFirstAddresssFamily()
    {
        var order = AddressInterleaving.Interleave(
        [
            new BackendEndpoint([A("[::1]:1"), A("[::1]:2"), A("[::1]:3")]),
            new BackendEndpoint([A("127.0.0.1:1"), A("127.0.0.1:2")]),
        ]);
        Assert.Equal(["[::1]:1", "127.0.0.1:1", "[::1]:2", "127.0.0.1:2", "[::1]:3"], order.Select(a => a.ToString()));

        var v4First = AddressInterleaving.Interleave([new BackendEndpoint([A("127.0.0.1:1"), A("[::1]:1"), A("[::1]:2"), A("127.0.0.1:1")])]);
        Assert.Equal(["127.0.0.1:1", "[::1]:1", "[::1]:2"], v4First.Select(a => a.ToString()));
    }

    [Fact]
    public void TheNextAttemptStartsWhenTheDelayPassesAndEarlierAttemptsStayAlive()
    {
        var helper = new FakeHelper();
        using var policy = new PickFirstLoadBalancerProvider().Create(helper);
        policy.UpdateChannelState(State(new BackendEndpoint([A("[::1]:1"), A("127.0.0.1:1")])));

        var v6 = helper.Get("[::1]:1");
        Assert.Single(helper.Subchannels);
        Assert.Equal(TimeSpan.FromMilliseconds(250), Assert.Single(helper.Timers).Delay);

        helper.FireTimers(); // 250 ms without a connection
        var v4 = helper.Get("127.0.0.1:1");
        Assert.Equal(ConnectivityState.Connecting, v4.State.State);
        Assert.Equal(ConnectivityState.Connecting, v6.State.State); // still trying
        Assert.Equal(ConnectivityState.Connecting, helper.State);

        v4.Set(ConnectivityState.Ready); // first success wins
        Assert.Equal(ConnectivityState.Ready, helper.State);
        Assert.Same(v4, helper.Pick().Subchannel);
        Assert.True(v6.IsShutdown); // the loser is closed
    }

    [Fact]
    public void AFailedAttemptStartsTheNextAtOnce()
    {
        var helper = new FakeHelper();
        using var policy = new PickFirstLoadBalancerProvider().Create(helper);
        policy.UpdateChannelState(State(new BackendEndpoint([A("[::1]:1"), A("127.0.0.1:1")])));
        helper.Get("[::1]:1").Set(ConnectivityState.TransientFailure, "refused");
        Assert.Equal(ConnectivityState.Connecting, helper.Get("127.0.0.1:1").State.State);
        Assert.True(helper.Timers[0].Cancelled);
    }

    [Fact]
    public void TheAttemptDelayIsConfigurable()
    {
        var config = (PickFirstConfig)LoadBalancerRegistry.CreateDefault()
            .SelectPolicy(ServiceConfig.Parse("""{"loadBalancingConfig":[{"pick_first":{"connectionAttemptDelay":"0.1s"}}]}""")).Config;
        Assert.Equal(TimeSpan.FromMilliseconds(100), config.ConnectionAttemptDelay);

        var helper = new FakeHelper();
        using var policy = new PickFirstLoadBalancerProvider().Create(helper);
        policy.UpdateChannelState(State(new BackendEndpoint([A("[::1]:1"), A("127.0.0.1:1")])) with { Config = config });
        Assert.Equal(TimeSpan.FromMilliseconds(100), helper.Timers[0].Delay);
    }

    [Fact]
    public void StickyTransientFailureDoesNotFlapThroughConnecting()
    {
        var helper = new FakeHelper();
        using var policy = new PickFirstLoadBalancerProvider().Create(helper);
        policy.UpdateChannelState(State(new BackendEndpoint([A("[::1]:1"), A("127.0.0.1:1")])));
        helper.Get("[::1]:1").Set(ConnectivityState.TransientFailure, "v6 refused");
        helper.Get("127.0.0.1:1").Set(ConnectivityState.TransientFailure, "v4 refused");
        Assert.Equal(ConnectivityState.TransientFailure, helper.State);
        var mark = helper.Updates.Count;

        // Several backoff rounds: subchannels go IDLE -> CONNECTING -> TRANSIENT_FAILURE on their own.
        for (var round = 0; round < 3; round++)
        {
            foreach (var address in new[] { "[::1]:1", "127.0.0.1:1" })
            {
                var sub = helper.Get(address);
                sub.Set(ConnectivityState.Idle, "backoff over");
                Assert.Equal(ConnectivityState.Connecting, sub.State.State); // pick_first reconnected it
                sub.Set(ConnectivityState.TransientFailure, $"{address} refused again {round}");
            }
        }

        Assert.All(helper.Updates.Skip(mark), u => Assert.Equal(ConnectivityState.TransientFailure, u.State));
        Assert.Contains("refused again 2", helper.Pick().Status.Detail); // the error stays current

        helper.Get("127.0.0.1:1").Set(ConnectivityState.Idle);
        helper.Get("127.0.0.1:1").Set(ConnectivityState.Ready);
        Assert.Equal(ConnectivityState.Ready, helper.State);
    }
}
