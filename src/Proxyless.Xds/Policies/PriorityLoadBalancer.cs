using Proxyless.Balancing;
using Proxyless.Resolution;

namespace Proxyless.Xds.Policies;

/// <summary>One priority: its child policy and the endpoints it gets.</summary>
internal sealed record PriorityChild(string Name, PolicySelection Policy, IReadOnlyList<BackendEndpoint> Endpoints);

/// <summary>The config of priority: the children from the highest priority (first) to the lowest.</summary>
internal sealed record PriorityConfig(IReadOnlyList<PriorityChild> Children) : LoadBalancerConfig
{
    public override string PolicyName => "priority_experimental";
}

/// <summary>
/// gRPC's priority policy (gRFC A56): uses the highest priority that is READY, or that is still getting its chance to
/// connect. A priority is started only when every higher one has failed: reported TRANSIENT_FAILURE, or stayed without
/// READY through its failover timer (10 s from its start, or from falling back to CONNECTING after READY). A failed
/// priority stays failed until it is READY again; then it takes the traffic back. Children once started are kept
/// while the config names them.
/// </summary>
internal sealed class PriorityLoadBalancer(IChannelControlHelper helper) : MultiChildLoadBalancer(helper)
{
    /// <summary>How long a starting priority gets before the next one is started too.</summary>
    public static readonly TimeSpan FailoverTimeout = TimeSpan.FromSeconds(10);

    private readonly HashSet<string> _failedOver = new(StringComparer.Ordinal); // timer ran out before READY
    private PriorityConfig? _config;
    private ChannelState? _lastState;
    private bool _choosing;

    public override Status UpdateChannelState(ChannelState state)
    {
        _config = (PriorityConfig)state.Config;
        _lastState = state;
        var names = _config.Children.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var removed in Children.Children.Keys.Where(n => !names.Contains(n)))
        {
            Children.Children[removed].FailoverTimer?.Dispose();
            _failedOver.Remove(removed);
        }

        Children.RemoveExcept(names);

        // Children already started get the new endpoints; the choice may start more.
        foreach (var child in _config.Children.Where(c => Children.Children.ContainsKey(c.Name)))
        {
            Children.Update(child.Name, child.Policy, state with { Endpoints = child.Endpoints });
        }

        Choose();
        return _config.Children.Count == 0 ? new Status(StatusCode.Unavailable, "no priorities") : Status.DefaultSuccess;
    }

    protected override void OnChildChanged() => Choose();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            foreach (var child in Children.Children.Values)
            {
                child.FailoverTimer?.Dispose();
            }
        }

        base.Dispose(disposing);
    }

    private void Choose()
    {
        if (_config is null || _lastState is null || _choosing)
        {
            return;
        }

        _choosing = true;
        try
        {
            ChildPolicySet.Child? chosen = null;
            foreach (var spec in _config.Children)
            {
                if (!Children.Children.TryGetValue(spec.Name, out var child))
                {
                    Children.Update(spec.Name, spec.Policy, _lastState with { Endpoints = spec.Endpoints });
                    child = Children.Children[spec.Name];
                    var name = spec.Name;
                    child.FailoverTimer = Helper.ScheduleDelayed(FailoverTimeout, () => OnFailoverTimer(name));
                }

                if (child.State == ConnectivityState.Ready)
                {
                    child.FailoverTimer?.Dispose();
                    child.FailoverTimer = null;
                    _failedOver.Remove(spec.Name);
                    chosen = child;
                    break;
                }

                // A priority that failed (TRANSIENT_FAILURE, or no READY within its failover time) counts as failed
                // until it is READY again, even while it reconnects.
                if (child.State == ConnectivityState.TransientFailure)
                {
                    _failedOver.Add(spec.Name);
                }

                if (_failedOver.Contains(spec.Name))
                {
                    child.FailoverTimer?.Dispose();
                    child.FailoverTimer = null;
                    continue; // failed over: try the next priority
                }

                if (child.State == ConnectivityState.Connecting && child.FailoverTimer is null)
                {
                    // A56: a priority that was READY and is connecting again gets a new failover time.
                    var name = spec.Name;
                    child.FailoverTimer = Helper.ScheduleDelayed(FailoverTimeout, () => OnFailoverTimer(name));
                }

                chosen = child; // still connecting within its failover time (or idle): it keeps the traffic
                break;
            }

            if (chosen is null)
            {
                // Every priority failed: report the last one's failure.
                var last = Children.Children[_config.Children[^1].Name];
                Helper.UpdateState(ConnectivityState.TransientFailure, last.Picker);
                return;
            }

            Helper.UpdateState(chosen.State, chosen.Picker);
        }
        finally
        {
            _choosing = false;
        }
    }

    private void OnFailoverTimer(string name)
    {
        if (Children.Children.TryGetValue(name, out var child) && child.State != ConnectivityState.Ready)
        {
            child.FailoverTimer = null;
            _failedOver.Add(name);
            Choose();
        }
    }
}
