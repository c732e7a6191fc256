using Proxyless.Balancing;
using Proxyless.Configuration;
using Proxyless.Resolution;
using Proxyless.Tests.Support;
using Proxyless.Xds.Policies;

namespace Proxyless.Tests.Unit.Xds;

/// <summary>gRFC A56's priority policy on a fake clock, with children whose states the test scripts.</summary>
public class PriorityPolicyTests
{
    private sealed record ScriptedConfig : LoadBalancerConfig
    {
        public override string PolicyName => "scripted";
    }

    /// <summary>Creates one child policy and lets the test report its states.</summary>
    private sealed class Scripted : LoadBalancerProvider
    {
        private IChannelControlHelper? _helper;

        public override string PolicyName => "scripted";

        public bool Started => _helper is not null;

        public Picker Picker { get; } = Picker.Fail(new Status(StatusCode.Unavailable, Guid.NewGuid().ToString()));

        public void Report(ConnectivityState state) => _helper!.UpdateState(state, state == ConnectivityState.Ready ? Picker : Picker.Queue);

        public override LoadBalancerConfig ParseConfig(ConfigObject config, LoadBalancerRegistry registry) => new ScriptedConfig();

        public override LoadBalancer Create(IChannelControlHelper helper)
        {
            _helper = helper;
            return new Balancer();
        }

        private sealed class Balancer : LoadBalancer
        {
            public override Status UpdateChannelState(ChannelState state) => Status.DefaultSuccess;

            public override void ResolverError(Status error)
            {
            }
        }
    }

    private static (FakeHelper Helper, PriorityLoadBalancer Policy, Scripted P0, Scripted P1) Start()
    {
        var helper = new FakeHelper();
        var policy = new PriorityLoadBalancer(helper);
        var p0 = new Scripted();
        var p1 = new Scripted();
        var config = new PriorityConfig([new PriorityChild("c[0]", new PolicySelection(p0, new ScriptedConfig()), []), new PriorityChild("c[1]", new PolicySelection(p1, new ScriptedConfig()), [])]);
        policy.UpdateChannelState(new ChannelState([], config, Attributes.Empty, ServiceConfig.Empty));
        return (helper, policy, p0, p1);
    }

    [Fact]
    public void TheNextPriorityStartsOnlyWhenTheFirstFailsOrItsFailoverTimeRunsOut()
    {
        var (helper, policy, p0, p1) = Start();
        using var _ = policy;
        Assert.True(p0.Started);
        Assert.False(p1.Started);

        helper.Advance(PriorityLoadBalancer.FailoverTimeout - TimeSpan.FromMilliseconds(1));
        Assert.False(p1.Started);
        helper.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(p1.Started); // p0 never became READY within 10 s

        p1.Report(ConnectivityState.Ready);
        Assert.Same(p1.Picker, helper.Picker);

        p0.Report(ConnectivityState.Ready); // the higher priority takes the traffic back
        Assert.Same(p0.Picker, helper.Picker);
    }

    [Fact]
    public void APriorityThatWasReadyAndConnectsAgainGetsANewFailoverTime()
    {
        var (helper, policy, p0, p1) = Start();
        using var _ = policy;
        p0.Report(ConnectivityState.Ready);
        Assert.Same(p0.Picker, helper.Picker);

        p0.Report(ConnectivityState.Connecting);
        Assert.Equal(ConnectivityState.Connecting, helper.State);
        Assert.False(p1.Started);
        helper.Advance(PriorityLoadBalancer.FailoverTimeout);
        Assert.True(p1.Started);

        p1.Report(ConnectivityState.Ready);
        Assert.Same(p1.Picker, helper.Picker);
    }

    [Fact]
    public void AFailedPriorityStaysFailedWhileItReconnects()
    {
        var (helper, policy, p0, p1) = Start();
        using var _ = policy;
        p0.Report(ConnectivityState.TransientFailure);
        Assert.True(p1.Started);
        p1.Report(ConnectivityState.Ready);
        Assert.Same(p1.Picker, helper.Picker);

        p0.Report(ConnectivityState.Connecting); // reconnecting: calls stay on p1
        Assert.Same(p1.Picker, helper.Picker);

        p0.Report(ConnectivityState.Ready);
        Assert.Same(p0.Picker, helper.Picker);
    }
}
