namespace Proxyless.Balancing.Policies;

/// <summary>
/// The one child of a delegating policy (outlier detection, subsetting, xds_cluster_impl): created on the first update,
/// created anew when an update names another policy, and given each update with its own config.
/// </summary>
/// <param name="createHelper">The helper a new child gets (the parent's, or one that wraps it).</param>
internal sealed class ChildPolicy(Func<IChannelControlHelper> createHelper) : IDisposable
{
    private LoadBalancerProvider? _provider;

    /// <summary>The child, once an update created it.</summary>
    public LoadBalancer? Current { get; private set; }

    /// <summary>Gives the child <paramref name="state"/> with <paramref name="selection"/>'s config.</summary>
    public Status Update(PolicySelection selection, ChannelState state)
    {
        if (Current is null || !ReferenceEquals(_provider, selection.Provider))
        {
            Current?.Dispose();
            _provider = selection.Provider;
            Current = selection.Provider.Create(createHelper());
        }

        return Current.UpdateChannelState(state with { Config = selection.Config });
    }

    public void Dispose()
    {
        Current?.Dispose();
        Current = null;
        _provider = null;
    }
}
