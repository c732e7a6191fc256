namespace Proxyless.Balancing;

/// <summary>
/// Base for policies that choose among endpoints (round_robin, weighted_round_robin, least_request, random,
/// ring_hash, and your own): a pick_first child per endpoint through <see cref="EndpointSharding"/>, every idle
/// child asked to reconnect, and gRPC's aggregate state. A subclass only builds the picker for the READY children.
/// When no child is READY the policy is CONNECTING (queue) or, when all failed, TRANSIENT_FAILURE with a picker that
/// rotates over the children's failure pickers, so each call's error names a real address and cause.
/// </summary>
public abstract class EndpointPickingLoadBalancer : LoadBalancer
{
    private readonly EndpointSharding _sharding;

    /// <summary>Creates the policy.</summary>
    /// <param name="helper">The channel's helper.</param>
    protected EndpointPickingLoadBalancer(IChannelControlHelper helper)
    {
        Helper = helper ?? throw new ArgumentNullException(nameof(helper));
        _sharding = new EndpointSharding(helper, OnChildrenChanged);
    }

    /// <summary>The channel's helper.</summary>
    protected IChannelControlHelper Helper { get; }

    /// <summary>The policy name, for error messages.</summary>
    protected abstract string PolicyName { get; }

    /// <summary>The current children, in endpoint order.</summary>
    protected IReadOnlyList<EndpointChild> Children => _sharding.Children;

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
        OnUpdate(state);
        return _sharding.Update(state);
    }

    /// <inheritdoc />
    public override void ResolverError(Status error)
    {
        if (_sharding.Children.Count == 0)
        {
            Helper.UpdateState(ConnectivityState.TransientFailure, Picker.Fail(error));
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

    private void OnChildrenChanged(IReadOnlyList<EndpointChild> children)
    {
        if (children.Count == 0)
        {
            Helper.UpdateState(ConnectivityState.TransientFailure, Picker.Fail(new Status(StatusCode.Unavailable, $"{PolicyName}: the resolver returned no endpoints")));
            return;
        }

        var ready = new List<EndpointChild>(children.Count);
        foreach (var child in children)
        {
            if (child.State == ConnectivityState.Ready)
            {
                ready.Add(child);
            }
            else if (child.State == ConnectivityState.Idle)
            {
                // Keep every endpoint connected.
                Helper.Schedule(child.ExitIdle);
            }
        }

        if (ready.Count > 0 && CreatePicker(ready, children) is { } picker)
        {
            Helper.UpdateState(ConnectivityState.Ready, picker);
            return;
        }

        var state = ready.Count > 0 ? ConnectivityState.Connecting : EndpointSharding.AggregateState(children);
        if (state == ConnectivityState.TransientFailure)
        {
            Helper.UpdateState(state, new Policies.RoundRobin.RoundRobinPicker(children.Select(c => (Picker)new ChildFailurePicker(c.Picker, PolicyName)).ToArray()));
        }
        else
        {
            // Idle children are being asked to reconnect, so from the outside the policy is connecting.
            Helper.UpdateState(ConnectivityState.Connecting, Picker.Queue);
        }
    }

    /// <summary>
    /// A failing child's picker as seen from this policy: its error names the policy the user configured, not the
    /// pick_first child inside it ("round_robin: connecting to 127.0.0.1:50052 failed: ...").
    /// </summary>
    private sealed class ChildFailurePicker(Picker child, string policyName) : Picker
    {
        private const string ChildPrefix = "pick_first: ";

        public override PickResult Pick(in PickContext context)
        {
            var result = child.Pick(in context);
            if (result.Type != PickResultType.Fail)
            {
                return result;
            }

            var detail = result.Status.Detail;
            detail = detail.StartsWith(ChildPrefix, StringComparison.Ordinal) ? detail[ChildPrefix.Length..] : detail;
            return PickResult.ForFailure(new Status(result.Status.StatusCode, $"{policyName}: {detail}", result.Status.DebugException));
        }

        public override string ToString() => child.ToString() ?? "";
    }
}
