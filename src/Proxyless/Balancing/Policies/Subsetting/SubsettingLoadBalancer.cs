namespace Proxyless.Balancing.Policies.Subsetting;

/// <summary>
/// A filter on the resolver's endpoints: every update, the configured algorithm picks the subset and the child policy
/// gets only that (with the update's attributes and service config). Everything else goes straight to the child, which
/// uses the channel's helper itself: subsetting owns no subchannel.
/// </summary>
internal sealed class SubsettingLoadBalancer(IChannelControlHelper helper, Func<ChannelState, (IReadOnlyList<Resolution.BackendEndpoint> Subset, PolicySelection Child)> choose) : LoadBalancer
{
    private LoadBalancer? _child;
    private LoadBalancerProvider? _childProvider;

    public override Status UpdateChannelState(ChannelState state)
    {
        var (subset, child) = choose(state);
        if (_child is null || !ReferenceEquals(_childProvider, child.Provider))
        {
            _child?.Dispose();
            _childProvider = child.Provider;
            _child = child.Provider.Create(helper);
        }

        return _child.UpdateChannelState(state with { Endpoints = subset, Config = child.Config });
    }

    public override void ResolverError(Status error) => _child?.ResolverError(error);

    public override void ExitIdle() => _child?.ExitIdle();

    internal override void DescribeEndpoints(Dictionary<string, string> notes) => _child?.DescribeEndpoints(notes);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _child?.Dispose();
            _child = null;
        }

        base.Dispose(disposing);
    }
}
