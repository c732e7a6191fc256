using Proxyless.Balancing;
using Proxyless.Resolution;

namespace Proxyless.Xds.Policies;

/// <summary>One target of weighted_target: its weight and its child policy.</summary>
internal sealed record WeightedTarget(uint Weight, PolicySelection Child);

/// <summary>The config of weighted_target: the targets by name (locality names under xds_wrr_locality).</summary>
internal sealed record WeightedTargetConfig(IReadOnlyDictionary<string, WeightedTarget> Targets) : LoadBalancerConfig
{
    public override string PolicyName => "weighted_target_experimental";
}

/// <summary>
/// gRPC's weighted_target: one child per target, given the endpoints tagged with its name; a call goes to a READY
/// child chosen at random in proportion to the targets' weights (gRFC A27's locality weighting).
/// </summary>
internal sealed class WeightedTargetLoadBalancer(IChannelControlHelper helper) : MultiChildLoadBalancer(helper)
{
    private WeightedTargetConfig? _config;

    public override Status UpdateChannelState(ChannelState state)
    {
        _config = (WeightedTargetConfig)state.Config;
        var byTarget = state.Endpoints.GroupBy(e => e.Attributes.GetValueOrDefault(XdsEndpointAttributes.Locality, "")).ToDictionary(g => g.Key, g => (IReadOnlyList<BackendEndpoint>)g.ToList());
        foreach (var (name, target) in _config.Targets)
        {
            Children.Update(name, target.Child, state with { Endpoints = byTarget.GetValueOrDefault(name) ?? [] });
        }

        Children.RemoveExcept(_config.Targets.Keys.ToHashSet());
        Publish();
        return Status.DefaultSuccess;
    }

    protected override void OnChildChanged() => Publish();

    private void Publish()
    {
        if (_config is null)
        {
            return;
        }

        var children = Children.Children.Values.ToList();
        var state = ChildPolicySet.Aggregate(children);
        var ready = children.Where(c => c.State == ConnectivityState.Ready && _config.Targets[c.Name].Weight > 0).ToList();
        Picker picker = state switch
        {
            ConnectivityState.Ready => new WeightedPicker(ready.Select(c => (_config.Targets[c.Name].Weight, c.Picker)).ToArray()),
            ConnectivityState.TransientFailure => children.FirstOrDefault()?.Picker ?? Picker.Fail(new Status(StatusCode.Unavailable, "weighted_target has no targets")),
            _ => Picker.Queue,
        };
        Helper.UpdateState(state, picker);
    }

    private sealed class WeightedPicker : Picker
    {
        private readonly (ulong Upper, Picker Picker)[] _ranges;
        private readonly ulong _total;

        public WeightedPicker((uint Weight, Picker Picker)[] targets)
        {
            _ranges = new (ulong, Picker)[targets.Length];
            for (var i = 0; i < targets.Length; i++)
            {
                _total += targets[i].Weight;
                _ranges[i] = (_total, targets[i].Picker);
            }
        }

        public override PickResult Pick(in PickContext context)
        {
            var draw = (ulong)Random.Shared.NextInt64((long)_total);
            foreach (var (upper, picker) in _ranges)
            {
                if (draw < upper)
                {
                    return picker.Pick(context);
                }
            }

            return _ranges[^1].Picker.Pick(context);
        }
    }
}
