using Proxyless.Balancing;
using Proxyless.Balancing.Policies.PickFirst;
using Proxyless.Balancing.Policies.RoundRobin;
using Proxyless.Configuration;
using Proxyless.Resolution;
using Proxyless.Tests.Support;

namespace Proxyless.Tests.Unit;

public class PolicyTests
{
    private static ChannelState State(LoadBalancerConfig config, params string[][] endpoints)
        => new(
            endpoints.Select(addrs => new BackendEndpoint(addrs.Select(a => new BackendAddress(System.Net.IPEndPoint.Parse(a))).ToArray())).ToArray(),
            config,
            Attributes.Empty,
            ServiceConfig.Empty);

    [Fact]
    public void PickFirstTriesAddressesInOrderAndSticksToTheFirstThatConnects()
    {
        var helper = new FakeHelper();
        using var policy = new PickFirstLoadBalancerProvider().Create(helper);
        policy.UpdateChannelState(State(new PickFirstConfig(), ["127.0.0.1:1"], ["127.0.0.1:2"], ["127.0.0.1:3"]));

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
        policy.UpdateChannelState(State(new PickFirstConfig(), ["127.0.0.1:1"], ["127.0.0.1:2"]));
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
        policy.UpdateChannelState(State(new PickFirstConfig(), ["127.0.0.1:1"]));
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
        policy.UpdateChannelState(State(new PickFirstConfig(), ["127.0.0.1:1"], ["127.0.0.1:2"]));
        var first = helper.Get("127.0.0.1:1");
        first.Set(ConnectivityState.Ready);
        var updates = helper.Updates.Count;

        policy.UpdateChannelState(State(new PickFirstConfig(), ["127.0.0.1:3"], ["127.0.0.1:1"]));
        Assert.Equal(updates, helper.Updates.Count);
        Assert.False(first.IsShutdown);
        Assert.Same(first, helper.Pick().Subchannel);
    }

    [Fact]
    public void PickFirstWithNoAddressesFailsAndAsksForReResolution()
    {
        var helper = new FakeHelper();
        using var policy = new PickFirstLoadBalancerProvider().Create(helper);
        var status = policy.UpdateChannelState(State(new PickFirstConfig()));
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
            policy.UpdateChannelState(State(new PickFirstConfig(ShuffleAddressList: true), ["127.0.0.1:1"], ["127.0.0.1:2"], ["127.0.0.1:3"]));
            firstTried.Add(helper.Subchannels[0].Address.ToString());
        }

        Assert.True(firstTried.Count >= 2, "shuffling should start with different addresses");
    }

    [Fact]
    public void RoundRobinConnectsEveryEndpointAndRotatesOverReadyOnes()
    {
        var helper = new FakeHelper();
        using var policy = new RoundRobinLoadBalancerProvider().Create(helper);
        policy.UpdateChannelState(State(new RoundRobinConfig(), ["127.0.0.1:1"], ["127.0.0.1:2"], ["127.0.0.1:3"]));
        Assert.Equal(3, helper.Subchannels.Count);
        Assert.All(helper.Subchannels, s => Assert.Equal(1, s.ConnectRequests));
        Assert.Equal(ConnectivityState.Connecting, helper.State);

        helper.Get("127.0.0.1:1").Set(ConnectivityState.Ready);
        Assert.Equal(ConnectivityState.Ready, helper.State);
        helper.Get("127.0.0.1:3").Set(ConnectivityState.Ready);

        var picks = Enumerable.Range(0, 10).Select(_ => helper.Pick().Subchannel!.Address.ToString()).ToList();
        Assert.Equal(5, picks.Count(p => p == "127.0.0.1:1"));
        Assert.Equal(5, picks.Count(p => p == "127.0.0.1:3"));
        for (var i = 1; i < picks.Count; i++)
        {
            Assert.NotEqual(picks[i - 1], picks[i]); // strict alternation
        }
    }

    [Fact]
    public void RoundRobinReconnectsAnEndpointThatWentIdle()
    {
        var helper = new FakeHelper();
        using var policy = new RoundRobinLoadBalancerProvider().Create(helper);
        policy.UpdateChannelState(State(new RoundRobinConfig(), ["127.0.0.1:1"], ["127.0.0.1:2"]));
        helper.Get("127.0.0.1:1").Set(ConnectivityState.Ready);
        helper.Get("127.0.0.1:2").Set(ConnectivityState.Ready);

        helper.Get("127.0.0.1:2").Set(ConnectivityState.Idle, "connection lost");
        Assert.Equal(ConnectivityState.Ready, helper.State);
        Assert.All(Enumerable.Range(0, 4), _ => Assert.Equal("127.0.0.1:1", helper.Pick().Subchannel!.Address.ToString()));

        // The child pick_first went IDLE; round_robin asked it to exit idle, which made the subchannel reconnect.
        var reconnecting = helper.Get("127.0.0.1:2");
        Assert.Equal(ConnectivityState.Connecting, reconnecting.State.State);
        reconnecting.Set(ConnectivityState.Ready);
        Assert.Contains(Enumerable.Range(0, 4).Select(_ => helper.Pick().Subchannel!.Address.ToString()), a => a == "127.0.0.1:2");
    }

    [Fact]
    public void RoundRobinReportsTransientFailureWithEachEndpointsError()
    {
        var helper = new FakeHelper();
        using var policy = new RoundRobinLoadBalancerProvider().Create(helper);
        policy.UpdateChannelState(State(new RoundRobinConfig(), ["127.0.0.1:1"], ["127.0.0.1:2"]));
        helper.Get("127.0.0.1:1").Set(ConnectivityState.TransientFailure, "refused at 127.0.0.1:1");
        Assert.Equal(ConnectivityState.Connecting, helper.State);
        helper.Get("127.0.0.1:2").Set(ConnectivityState.TransientFailure, "refused at 127.0.0.1:2");
        Assert.Equal(ConnectivityState.TransientFailure, helper.State);

        var errors = Enumerable.Range(0, 4).Select(_ => helper.Pick()).ToList();
        Assert.All(errors, e => Assert.Equal(PickResultType.Fail, e.Type));
        Assert.Contains(errors, e => e.Status.Detail.Contains("127.0.0.1:1"));
        Assert.Contains(errors, e => e.Status.Detail.Contains("127.0.0.1:2"));
    }

    [Fact]
    public void RoundRobinCountsAMultiAddressEndpointOnce()
    {
        var helper = new FakeHelper();
        using var policy = new RoundRobinLoadBalancerProvider().Create(helper);
        policy.UpdateChannelState(State(new RoundRobinConfig(), ["[::1]:1", "127.0.0.1:1"], ["127.0.0.1:2"]));
        Assert.Equal(2, helper.Subchannels.Count); // pick_first per endpoint tries one address at a time
        helper.Get("[::1]:1").Set(ConnectivityState.Ready);
        helper.Get("127.0.0.1:2").Set(ConnectivityState.Ready);
        var picks = Enumerable.Range(0, 100).Select(_ => helper.Pick().Subchannel!.Address.ToString()).ToList();
        Assert.Equal(50, picks.Count(p => p == "[::1]:1"));
    }

    [Fact]
    public void RoundRobinRemovesChildrenForRemovedEndpoints()
    {
        var helper = new FakeHelper();
        using var policy = new RoundRobinLoadBalancerProvider().Create(helper);
        policy.UpdateChannelState(State(new RoundRobinConfig(), ["127.0.0.1:1"], ["127.0.0.1:2"]));
        helper.Get("127.0.0.1:1").Set(ConnectivityState.Ready);
        helper.Get("127.0.0.1:2").Set(ConnectivityState.Ready);

        policy.UpdateChannelState(State(new RoundRobinConfig(), ["127.0.0.1:2"]));
        Assert.True(helper.Get("127.0.0.1:1").IsShutdown);
        Assert.All(Enumerable.Range(0, 5), _ => Assert.Equal("127.0.0.1:2", helper.Pick().Subchannel!.Address.ToString()));
    }
}
