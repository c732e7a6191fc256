using Grpc.Core;

namespace Proxyless.Balancing.Policies.RoundRobin;

/// <summary>
/// round_robin (gRFC A61 shape): a pick_first child per endpoint through <see cref="EndpointSharding"/>, so an endpoint
/// with several addresses counts once; rotates over READY children, asks IDLE children to reconnect, and reports the
/// aggregate state (READY if any child is; CONNECTING while any is connecting or idle; else TRANSIENT_FAILURE, whose
/// picker rotates over the children's failure pickers so each call's error names a real address and cause).
/// </summary>
internal sealed class RoundRobinLoadBalancer : LoadBalancer
{
    private readonly IChannelControlHelper _helper;
    private readonly EndpointSharding _sharding;

    public RoundRobinLoadBalancer(IChannelControlHelper helper)
    {
        _helper = helper;
        _sharding = new EndpointSharding(helper, OnChildrenChanged);
    }

    public override Status UpdateChannelState(ChannelState state) => _sharding.Update(state);

    public override void ResolverError(Status error)
    {
        if (_sharding.Children.Count == 0)
        {
            _helper.UpdateState(ConnectivityState.TransientFailure, Picker.Fail(error));
            return;
        }

        _sharding.ResolverError(error);
    }

    public override void ExitIdle() => _sharding.ExitIdle();

    protected override void Dispose(bool disposing) => _sharding.Dispose();

    private void OnChildrenChanged(IReadOnlyList<EndpointChild> children)
    {
        if (children.Count == 0)
        {
            _helper.UpdateState(ConnectivityState.TransientFailure, Picker.Fail(new Status(StatusCode.Unavailable, "round_robin: the resolver returned no endpoints")));
            return;
        }

        var ready = new List<Picker>(children.Count);
        foreach (var child in children)
        {
            if (child.State == ConnectivityState.Ready)
            {
                ready.Add(child.Picker);
            }
            else if (child.State == ConnectivityState.Idle)
            {
                // round_robin keeps every endpoint connected.
                _helper.Schedule(child.ExitIdle);
            }
        }

        if (ready.Count > 0)
        {
            _helper.UpdateState(ConnectivityState.Ready, new RoundRobinPicker(ready));
            return;
        }

        var state = EndpointSharding.AggregateState(children);
        if (state == ConnectivityState.TransientFailure)
        {
            _helper.UpdateState(state, new RoundRobinPicker(children.Select(c => c.Picker).ToArray()));
        }
        else
        {
            // Idle children are being asked to reconnect, so from the outside round_robin is connecting.
            _helper.UpdateState(ConnectivityState.Connecting, Picker.Queue);
        }
    }
}
