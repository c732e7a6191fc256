using Proxyless.Balancing;
using Proxyless.Balancing.Policies.RoundRobin;
using Proxyless.Calls;
using Proxyless.Configuration;
using Proxyless.Resolution;
using Proxyless.Tests.Support;

namespace Proxyless.Tests.Unit.Balancing.Policies;

/// <summary>round_robin over pick_first children, and its picker.</summary>
public class RoundRobinLoadBalancerTests
{
    private static Picker Fixed(string name)
    {
        var helper = new FakeHelper();
        var sub = helper.CreateSubchannel(new BackendAddress(System.Net.IPEndPoint.Parse(name)), _ => { });
        return new FixedPicker(PickResult.ForSubchannel(sub));
    }

    [Fact]
    public void RoundRobinConnectsEveryEndpointAndRotatesOverReadyOnes()
    {
        var helper = new FakeHelper();
        using var policy = new RoundRobinLoadBalancerProvider().Create(helper);
        policy.UpdateChannelState(PolicyHarness.Endpoints(new RoundRobinConfig(), ["127.0.0.1:1"], ["127.0.0.1:2"], ["127.0.0.1:3"]));
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
        policy.UpdateChannelState(PolicyHarness.Endpoints(new RoundRobinConfig(), ["127.0.0.1:1"], ["127.0.0.1:2"]));
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
        policy.UpdateChannelState(PolicyHarness.Endpoints(new RoundRobinConfig(), ["127.0.0.1:1"], ["127.0.0.1:2"]));
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
        policy.UpdateChannelState(PolicyHarness.Endpoints(new RoundRobinConfig(), ["[::1]:1", "127.0.0.1:1"], ["127.0.0.1:2"]));
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
        policy.UpdateChannelState(PolicyHarness.Endpoints(new RoundRobinConfig(), ["127.0.0.1:1"], ["127.0.0.1:2"]));
        helper.Get("127.0.0.1:1").Set(ConnectivityState.Ready);
        helper.Get("127.0.0.1:2").Set(ConnectivityState.Ready);

        policy.UpdateChannelState(PolicyHarness.Endpoints(new RoundRobinConfig(), ["127.0.0.1:2"]));
        Assert.True(helper.Get("127.0.0.1:1").IsShutdown);
        Assert.All(Enumerable.Range(0, 5), _ => Assert.Equal("127.0.0.1:2", helper.Pick().Subchannel!.Address.ToString()));
    }

    [Fact]
    public void RoundRobinPickerRotatesEvenlyFromItsStartIndex()
    {
        var picker = new RoundRobinPicker([Fixed("127.0.0.1:1"), Fixed("127.0.0.1:2"), Fixed("127.0.0.1:3")], startIndex: 1);
        var context = new PickContext(new HttpRequestMessage());
        var picks = Enumerable.Range(0, 9).Select(_ => picker.Pick(context).Subchannel!.Address.ToString()).ToArray();
        Assert.Equal(["127.0.0.1:2", "127.0.0.1:3", "127.0.0.1:1"], picks[..3]);
        Assert.Equal(picks[..3], picks[3..6]);
    }

    [Fact]
    public void RoundRobinPickerIsEvenUnderConcurrency()
    {
        var picker = new RoundRobinPicker([Fixed("127.0.0.1:1"), Fixed("127.0.0.1:2")]);
        var counts = new int[2];
        Parallel.For(0, 100_000, _ =>
        {
            var address = picker.Pick(new PickContext(null!)).Subchannel!.Address.ToString();
            Interlocked.Increment(ref counts[address.EndsWith(":1") ? 0 : 1]);
        });
        Assert.Equal(50_000, counts[0]);
        Assert.Equal(50_000, counts[1]);
    }

    [Fact]
    public void RoundRobinPickAllocatesNothing()
    {
        var picker = new RoundRobinPicker([Fixed("127.0.0.1:1"), Fixed("127.0.0.1:2")]);
        var context = new PickContext(new HttpRequestMessage());
        picker.Pick(context);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10_000; i++)
        {
            picker.Pick(context);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private sealed class FixedPicker(PickResult result) : Picker
    {
        public override PickResult Pick(in PickContext context) => result;
    }
}
