namespace Proxyless.Balancing.Policies.Subsetting;

/// <summary>
/// A filter on the resolver's endpoints: every update, the configured algorithm picks the subset and the child policy
/// gets only that (with the update's attributes and service config). Everything else goes straight to the child, which
/// uses the channel's helper itself: subsetting owns no subchannel.
/// </summary>
internal sealed class SubsettingLoadBalancer(IChannelControlHelper helper, Func<ChannelState, (IReadOnlyList<Resolution.BackendEndpoint> Subset, PolicySelection Child)> choose) : DelegatingLoadBalancer
{
    public override Status UpdateChannelState(ChannelState state)
    {
        var (subset, child) = choose(state);
        return Child.Update(child, state with { Endpoints = subset });
    }

    protected override IChannelControlHelper CreateChildHelper() => helper;
}
