namespace Proxyless.Balancing;

/// <summary>
/// Base for policies that choose among endpoints (round_robin, weighted_round_robin, least_request, random,
/// ring_hash, and your own): a pick_first child per endpoint through <see cref="EndpointSharding"/>, every idle
/// child asked to reconnect, and gRPC's aggregate state. A subclass only builds the picker for the READY children.
/// When no child is READY the policy is CONNECTING (queue) or, when all failed, TRANSIENT_FAILURE with a picker that
/// rotates over the children's failure pickers, so each call's error names a real address and cause.
/// </summary>
/// <remarks>
/// A child's state change costs O(1) unless the set of READY children changes, when the picker is rebuilt over the
/// READY children: with thousands of endpoints in a connect storm, policy work stays linear in the events.
/// </remarks>
public abstract class EndpointPickingLoadBalancer : LoadBalancer
{
    private readonly EndpointSharding _sharding;
    private readonly int[] _counts = new int[5]; // children per ConnectivityState
    private ConnectivityState _published = ConnectivityState.Idle;
    private bool _hasPublished;

    /// <summary>Creates the policy.</summary>
    /// <param name="helper">The channel's helper.</param>
    /// <param name="endpointPolicy">
    /// The policy each endpoint gets, which chooses among the endpoint's addresses: gRPC uses pick_first
    /// (<see cref="Policies.PickFirst.PickFirstLoadBalancerProvider.Default"/>).
    /// </param>
    protected EndpointPickingLoadBalancer(IChannelControlHelper helper, PolicySelection endpointPolicy)
    {
        Helper = helper ?? throw new ArgumentNullException(nameof(helper));
        _sharding = new EndpointSharding(helper, endpointPolicy, OnChildrenChanged, OnChildStateChanged);
    }

    /// <summary>The channel's helper.</summary>
    protected IChannelControlHelper Helper { get; }

    /// <summary>The current children, in endpoint order.</summary>
    protected IReadOnlyList<EndpointChild> Children => _sharding.Children;

    /// <summary>
    /// Whether the picker depends on children that are not READY (ring_hash falls forward past failed ones and waits
    /// for connecting ones), so it must be rebuilt on every child state change, not only when the READY set changes.
    /// </summary>
    protected virtual bool PickerDependsOnEveryChild => false;

    /// <summary>
    /// Builds the picker used while at least one child is READY, or returns null to keep calls queued (for a policy
    /// that needs more children READY first); the policy then reports CONNECTING.
    /// </summary>
    /// <param name="ready">The READY children (at least one), in endpoint order.</param>
    /// <param name="all">All children, in endpoint order.</param>
    protected abstract Picker? CreatePicker(IReadOnlyList<EndpointChild> ready, IReadOnlyList<EndpointChild> all);

    /// <summary>Called with each update before the children are updated (read your config here).</summary>
    /// <param name="state">The update.</param>
    protected virtual void OnUpdate(ChannelState state)
    {
    }

    /// <inheritdoc />
    public override Status UpdateChannelState(ChannelState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        PolicyName = state.Config.PolicyName;
        OnUpdate(state);
        return _sharding.Update(state);
    }

    /// <inheritdoc />
    public override void ResolverError(Status error)
    {
        if (_sharding.Children.Count == 0)
        {
            Publish(ConnectivityState.TransientFailure, Picker.Fail(error));
            return;
        }

        _sharding.ResolverError(error);
    }

    /// <inheritdoc />
    public override void ExitIdle() => _sharding.ExitIdle();

    /// <summary>Publishes a fresh picker from the children's current state (e.g. after weights changed).</summary>
    protected void Republish() => OnChildrenChanged(_sharding.Children);

    /// <inheritdoc />
    protected override void Dispose(bool disposing) => _sharding.Dispose();

    // After an endpoint list update (or a resolver error, or Republish): recount everything and publish.
    private void OnChildrenChanged(IReadOnlyList<EndpointChild> children)
    {
        Array.Clear(_counts);
        foreach (var child in children)
        {
            _counts[(int)child.State]++;
            if (child.State == ConnectivityState.Idle)
            {
                Helper.Schedule(child.ExitIdle); // keep every endpoint connected
            }
        }

        PublishFromChildren(children, forced: true);
    }

    // One child changed state: adjust the counts, ask it to reconnect if it went idle, and publish only if the
    // outcome can differ (the READY set changed, or with none READY the aggregate state changed).
    private void OnChildStateChanged(EndpointChild child, ConnectivityState previous)
    {
        _counts[(int)previous]--;
        _counts[(int)child.State]++;
        if (child.State == ConnectivityState.Idle)
        {
            Helper.Schedule(child.ExitIdle);
        }

        var readySetChanged = previous == ConnectivityState.Ready || child.State == ConnectivityState.Ready;
        if (readySetChanged || PickerDependsOnEveryChild || ReadyCount == 0)
        {
            PublishFromChildren(_sharding.Children, forced: readySetChanged || PickerDependsOnEveryChild);
        }
    }

    private int ReadyCount => _counts[(int)ConnectivityState.Ready];

    // The name the user configured (from the config of the latest update), for error messages.
    private string PolicyName { get; set; } = "";

    private void PublishFromChildren(IReadOnlyList<EndpointChild> children, bool forced)
    {
        if (children.Count == 0)
        {
            Publish(ConnectivityState.TransientFailure, Picker.Fail(new Status(StatusCode.Unavailable, $"{PolicyName}: the resolver returned no endpoints")));
            return;
        }

        if (ReadyCount > 0)
        {
            var ready = new List<EndpointChild>(ReadyCount);
            foreach (var child in children)
            {
                if (child.State == ConnectivityState.Ready)
                {
                    ready.Add(child);
                }
            }

            if (CreatePicker(ready, children) is { } picker)
            {
                Publish(ConnectivityState.Ready, picker);
                return;
            }

            PublishIfChanged(ConnectivityState.Connecting, Picker.Queue, forced);
            return;
        }

        // Gone idle children are being asked to reconnect, so from the outside the policy is connecting.
        var state = _counts[(int)ConnectivityState.Connecting] > 0 || _counts[(int)ConnectivityState.Idle] > 0
            ? ConnectivityState.Connecting
            : ConnectivityState.TransientFailure;
        PublishIfChanged(state, state == ConnectivityState.TransientFailure ? new FailingChildrenPicker(children, PolicyName) : Picker.Queue, forced);
    }

    // Without READY children the picker depends only on the aggregate state (the failure picker reads the children's
    // current errors itself), so an unchanged state needs no new picker.
    private void PublishIfChanged(ConnectivityState state, Picker picker, bool forced)
    {
        if (forced || !_hasPublished || state != _published)
        {
            Publish(state, picker);
        }
    }

    private void Publish(ConnectivityState state, Picker picker)
    {
        _published = state;
        _hasPublished = true;
        Helper.UpdateState(state, picker);
    }

    /// <summary>
    /// The TRANSIENT_FAILURE picker: rotates over the children and uses each one's current picker, so every call's error
    /// names a real address and cause, renamed after the policy the user configured ("round_robin: connecting to
    /// 127.0.0.1:50052 failed: ..."), never the pick_first child inside it.
    /// </summary>
    private sealed class FailingChildrenPicker(IReadOnlyList<EndpointChild> children, string policyName) : Picker
    {
        private const string ChildPrefix = "pick_first: ";
        private int _next = -1;

        public override PickResult Pick(in PickContext context)
        {
            var child = children[(int)((uint)Interlocked.Increment(ref _next) % (uint)children.Count)];
            var result = child.Picker.Pick(in context);
            if (result.Type != PickResultType.Fail)
            {
                return result;
            }

            var detail = result.Status.Detail;
            detail = detail.StartsWith(ChildPrefix, StringComparison.Ordinal) ? detail[ChildPrefix.Length..] : detail;
            return PickResult.ForFailure(new Status(result.Status.StatusCode, $"{policyName}: {detail}", result.Status.DebugException));
        }

        public override string ToString() => $"{policyName} failing over {children.Count} endpoints";
    }
}
