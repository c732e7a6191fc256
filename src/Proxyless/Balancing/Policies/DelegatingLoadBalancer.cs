namespace Proxyless.Balancing.Policies;

/// <summary>
/// A policy in front of one child policy (outlier detection, subsetting, xds_cluster_impl): it shapes the child's
/// updates, and resolver errors, exit-idle requests, endpoint notes and disposal go straight to the child.
/// </summary>
internal abstract class DelegatingLoadBalancer : LoadBalancer
{
    protected DelegatingLoadBalancer() => Child = new ChildPolicy(CreateChildHelper);

    /// <summary>The child, created on the first update that names it.</summary>
    protected ChildPolicy Child { get; }

    public override void ResolverError(Status error) => Child.Current?.ResolverError(error);

    public override void ExitIdle() => Child.Current?.ExitIdle();

    internal override void DescribeEndpoints(Dictionary<string, string> notes) => Child.Current?.DescribeEndpoints(notes);

    /// <summary>The helper a new child gets (the parent's own, or one that wraps it); called when a child is created.</summary>
    protected abstract IChannelControlHelper CreateChildHelper();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Child.Dispose();
        }

        base.Dispose(disposing);
    }
}
