using Proxyless.Balancing;

namespace Proxyless.Xds.Policies;

/// <summary>
/// The named children of a policy that has several (xds_cluster_manager, priority, weighted_target): each child's
/// policy, its last state and picker. A child's state change reaches the owner through <c>onChildChanged</c>, except
/// while the owner is updating its children (it aggregates once at the end instead).
/// </summary>
internal sealed class ChildPolicySet(IChannelControlHelper helper, Action onChildChanged) : IDisposable
{
    private readonly IChannelControlHelper _helper = helper;
    private readonly Action _onChildChanged = onChildChanged;
    private readonly Dictionary<string, Child> _children = new(StringComparer.Ordinal);
    private int _updating;

    /// <summary>The children by name.</summary>
    public IReadOnlyDictionary<string, Child> Children => _children;

    /// <summary>
    /// Gives child <paramref name="name"/> a new state, creating it (or recreating it when its policy changed).
    /// </summary>
    public Status Update(string name, PolicySelection selection, ChannelState state)
    {
        if (_children.TryGetValue(name, out var child) && !ReferenceEquals(child.Provider, selection.Provider))
        {
            child.Policy.Dispose();
            _children.Remove(name);
            child = null;
        }

        if (child is null)
        {
            child = new Child(name, selection.Provider);
            child.Policy = selection.Provider.Create(new ChildHelper(this, child));
            _children[name] = child;
        }

        _updating++;
        try
        {
            return child.Policy.UpdateChannelState(state with { Config = selection.Config });
        }
        finally
        {
            _updating--;
        }
    }

    /// <summary>Shuts down every child not named in <paramref name="keep"/>.</summary>
    public void RemoveExcept(IReadOnlySet<string> keep)
    {
        foreach (var name in _children.Keys.Where(n => !keep.Contains(n)).ToList())
        {
            _children[name].Policy.Dispose();
            _children.Remove(name);
        }
    }

    /// <summary>
    /// A resolver error: every child hears it; with no child yet, the owner's calls fail with it (there is nothing
    /// to keep using).
    /// </summary>
    public void ResolverError(Status error)
    {
        if (_children.Count == 0)
        {
            _helper.UpdateState(ConnectivityState.TransientFailure, Picker.Fail(error));
            return;
        }

        foreach (var child in _children.Values)
        {
            child.Policy.ResolverError(error);
        }
    }

    /// <summary>Asks every child to leave IDLE.</summary>
    public void ExitIdle()
    {
        foreach (var child in _children.Values)
        {
            child.Policy.ExitIdle();
        }
    }

    /// <summary>gRPC's aggregation: READY if any child is, else CONNECTING, else IDLE, else TRANSIENT_FAILURE.</summary>
    public static ConnectivityState Aggregate(IEnumerable<Child> children)
    {
        var states = children.Select(c => c.State).ToList();
        return states.Contains(ConnectivityState.Ready) ? ConnectivityState.Ready
            : states.Contains(ConnectivityState.Connecting) ? ConnectivityState.Connecting
            : states.Contains(ConnectivityState.Idle) ? ConnectivityState.Idle
            : ConnectivityState.TransientFailure;
    }

    public void Dispose()
    {
        foreach (var child in _children.Values)
        {
            child.Policy.Dispose();
        }

        _children.Clear();
    }

    /// <summary>One child.</summary>
    internal sealed class Child(string name, LoadBalancerProvider provider)
    {
        public string Name { get; } = name;

        public LoadBalancerProvider Provider { get; } = provider;

        public LoadBalancer Policy { get; set; } = null!;

        public ConnectivityState State { get; set; } = ConnectivityState.Connecting;

        public Picker Picker { get; set; } = Picker.Queue;

        /// <summary>True once the child has reported a state.</summary>
        public bool ReportedSinceCreated { get; set; }

        /// <summary>The priority policy's failover timer for this child, while it runs.</summary>
        public IDisposable? FailoverTimer { get; set; }
    }

    private sealed class ChildHelper(ChildPolicySet owner, Child child) : ForwardingHelper(owner._helper)
    {
        public override void UpdateState(ConnectivityState state, Picker picker)
        {
            if (!owner._children.TryGetValue(child.Name, out var current) || current != child)
            {
                return; // a removed child's late report
            }

            (child.State, child.Picker, child.ReportedSinceCreated) = (state, picker, true);
            if (owner._updating == 0)
            {
                owner._onChildChanged();
            }
        }
    }
}
