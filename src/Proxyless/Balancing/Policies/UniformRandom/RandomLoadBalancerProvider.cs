using Proxyless.Configuration;

namespace Proxyless.Balancing.Policies.UniformRandom;

/// <summary>The <c>random</c> policy: each call goes to a READY endpoint chosen uniformly at random.</summary>
public sealed class RandomLoadBalancerProvider : LoadBalancerProvider
{
    /// <summary>The policy name.</summary>
    public const string Name = "random";

    /// <inheritdoc />
    public override string PolicyName => Name;

    /// <inheritdoc />
    public override LoadBalancerConfig ParseConfig(ConfigObject config, LoadBalancerRegistry registry) => new RandomConfig();

    /// <inheritdoc />
    public override LoadBalancer Create(IChannelControlHelper helper) => new Balancer(helper);

    private sealed class Balancer(IChannelControlHelper helper) : EndpointPickingLoadBalancer(helper)
    {
        protected override string PolicyName => Name;

        protected override Picker CreatePicker(IReadOnlyList<EndpointChild> ready, IReadOnlyList<EndpointChild> all)
            => new RandomPicker(ready.Select(c => c.Picker).ToArray());
    }

    private sealed class RandomPicker(Picker[] pickers) : Picker
    {
        public override PickResult Pick(in PickContext context) => pickers[System.Random.Shared.Next(pickers.Length)].Pick(context);
    }
}
