namespace Proxyless.Balancing.Policies.Subsetting;

/// <summary>
/// A filter on the resolver's endpoints: every update, the configured algorithm picks the subset and the child policy
/// gets only that (with the update's attributes and service config). Everything else goes straight to the child, which
/// uses the channel's helper itself: subsetting owns no subchannel.
/// </summary>
internal sealed class SubsettingLoadBalancer(IChannelControlHelper helper, Func<ChannelState, (IReadOnlyList<Resolution.BackendEndpoint> Subset, PolicySelection Child)> choose) : LoadBalancer
{
    private readonly ChildPolicy _child = new(() => helper);

    public override Status UpdateChannelState(ChannelState state)
    {
        var (subset, child) = choose(state);
        return _child.Update(child, state with { Endpoints = subset });
    }

    public override void ResolverError(Status error) => _child.Current?.ResolverError(error);

    public override void ExitIdle() => _child.Current?.ExitIdle();

    internal override void DescribeEndpoints(Dictionary<string, string> notes) => _child.Current?.DescribeEndpoints(notes);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _child.Dispose();
        }

        base.Dispose(disposing);
    }
}
