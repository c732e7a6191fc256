using Proxyless.Balancing;
using Proxyless.Balancing.Policies.PickFirst;
using Proxyless.Configuration;

namespace DualStack.Client;

/// <summary>
/// The dualstack example's custom_round_robin: a pick_first child per endpoint (each child tries the endpoint's IPv6
/// address first and falls back to IPv4, Happy Eyeballs); once every child is READY it sends <c>repeatCount</c> calls
/// to one endpoint before moving to the next.
/// </summary>
public sealed class RepeatRoundRobinProvider : LoadBalancerProvider
{
    /// <summary>The policy name.</summary>
    public const string Name = "custom_round_robin";

    /// <inheritdoc />
    public override string PolicyName => Name;

    /// <inheritdoc />
    public override LoadBalancerConfig ParseConfig(ConfigObject config, LoadBalancerRegistry registry)
        => new RepeatRoundRobinConfig(config.GetInt32("repeatCount", defaultValue: 1, min: 1));

    /// <inheritdoc />
    public override LoadBalancer Create(IChannelControlHelper helper) => new Balancer(helper);

    private sealed class Balancer(IChannelControlHelper helper) : EndpointPickingLoadBalancer(helper, PickFirstLoadBalancerProvider.Default)
    {
        private int _repeatCount = 1;

        protected override void OnUpdate(ChannelState state) => _repeatCount = ((RepeatRoundRobinConfig)state.Config).RepeatCount;

        // Queue until every endpoint is READY, so the 1:1:1 pattern starts with all three.
        protected override Picker? CreatePicker(IReadOnlyList<EndpointChild> ready, IReadOnlyList<EndpointChild> all)
            => ready.Count == all.Count ? new RepeatPicker(all.Select(c => c.Picker).ToArray(), _repeatCount) : null;
    }

    private sealed class RepeatPicker(Picker[] children, int repeatCount) : Picker
    {
        private long _next = -1;

        public override PickResult Pick(in PickContext context)
        {
            var next = Interlocked.Increment(ref _next);
            return children[(int)(next / repeatCount % children.Length)].Pick(context);
        }
    }
}
