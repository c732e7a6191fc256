using Proxyless.Balancing.Policies.PickFirst;

namespace Proxyless.Balancing.Policies.Random;

/// <summary>random: each call goes to a READY endpoint chosen uniformly at random.</summary>
internal sealed class RandomLoadBalancer(IChannelControlHelper helper) : EndpointPickingLoadBalancer(helper, PickFirstLoadBalancerProvider.Default)
{
    protected override Picker CreatePicker(IReadOnlyList<EndpointChild> ready, IReadOnlyList<EndpointChild> all)
        => new RandomPicker(ready.Select(c => c.Picker).ToArray());

    private sealed class RandomPicker(Picker[] pickers) : Picker
    {
        public override PickResult Pick(in PickContext context) => pickers[System.Random.Shared.Next(pickers.Length)].Pick(context);
    }
}
