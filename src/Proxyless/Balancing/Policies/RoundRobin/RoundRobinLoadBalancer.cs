using Proxyless.Balancing.Policies.PickFirst;

namespace Proxyless.Balancing.Policies.RoundRobin;

/// <summary>
/// round_robin (gRFC A61 shape): a pick_first child per endpoint, so an endpoint with several addresses counts once;
/// rotates over READY children; everything else (reconnecting idle children, aggregate state, failures) comes from
/// <see cref="EndpointPickingLoadBalancer"/>.
/// </summary>
internal sealed class RoundRobinLoadBalancer(IChannelControlHelper helper) : EndpointPickingLoadBalancer(helper, PickFirstLoadBalancerProvider.Default)
{
    protected override Picker CreatePicker(IReadOnlyList<EndpointChild> ready, IReadOnlyList<EndpointChild> all)
        => new RoundRobinPicker(ready.Select(c => c.Picker).ToArray());
}
