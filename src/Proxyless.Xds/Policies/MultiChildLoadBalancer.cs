using Proxyless.Balancing;

namespace Proxyless.Xds.Policies;

/// <summary>
/// The shape every policy with named children shares (xds_cluster_manager, priority, weighted_target): a
/// <see cref="ChildPolicySet"/>, resolver errors and exit-idle passed to every child, children disposed with it, and
/// <see cref="OnChildChanged"/> when a child reports outside an update.
/// </summary>
internal abstract class MultiChildLoadBalancer : LoadBalancer
{
    protected MultiChildLoadBalancer(IChannelControlHelper helper)
    {
        Helper = helper;
        Children = new ChildPolicySet(helper, OnChildChanged);
    }

    protected IChannelControlHelper Helper { get; }

    protected ChildPolicySet Children { get; }

    public override void ResolverError(Status error) => Children.ResolverError(error);

    public override void ExitIdle() => Children.ExitIdle();

    /// <summary>A child reported a new state: recompute and publish the owner's.</summary>
    protected abstract void OnChildChanged();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Children.Dispose();
        }

        base.Dispose(disposing);
    }
}
