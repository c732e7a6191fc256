using System.Net;
using Proxyless.Balancing;
using Proxyless.Balancing.Policies.PickFirst;
using Proxyless.Configuration;
using Proxyless.Resolution;
using Proxyless.Tests.Support;

namespace Proxyless.Tests.Unit;

public class HappyEyeballsTests
{
    private static BackendAddress A(string text) => new(IPEndPoint.Parse(text));

    private static ChannelState State(params BackendEndpoint[] endpoints)
        => new(endpoints, new PickFirstConfig(), Attributes.Empty, ServiceConfig.Empty);

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
}
