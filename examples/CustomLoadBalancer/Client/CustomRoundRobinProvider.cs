using Grpc.Core;
using Proxyless.Balancing;
using Proxyless.Balancing.Policies.PickFirst;
using Proxyless.Configuration;

namespace CustomLoadBalancer.Client;

/// <summary>
/// custom_round_robin from grpc-go's customloadbalancer example: a pick_first child per endpoint (from
/// <see cref="EndpointPickingLoadBalancer"/>); once the first two children are READY, calls go to the first child
/// except every <c>chooseSecond</c>-th, which goes to the second.
/// </summary>
public sealed class CustomRoundRobinProvider : LoadBalancerProvider
{
    /// <summary>The policy name.</summary>
    public const string Name = "custom_round_robin";

    /// <inheritdoc />
    public override string PolicyName => Name;

    /// <inheritdoc />
    public override LoadBalancerConfig ParseConfig(ConfigObject config, LoadBalancerRegistry registry)
        => new CustomRoundRobinConfig(config.GetInt32("chooseSecond", defaultValue: 3, min: 0));

    /// <inheritdoc />
    public override LoadBalancer Create(IChannelControlHelper helper) => new Balancer(helper);

    private sealed class Balancer(IChannelControlHelper helper) : EndpointPickingLoadBalancer(helper, PickFirstLoadBalancerProvider.Default)
    {
        private int _chooseSecond = 3;

        protected override void OnUpdate(ChannelState state) => _chooseSecond = ((CustomRoundRobinConfig)state.Config).ChooseSecond;

        // Wait (queue) until both children are READY, as grpc-go's example does.
        protected override Picker? CreatePicker(IReadOnlyList<EndpointChild> ready, IReadOnlyList<EndpointChild> all)
            => all.Count >= 2 && all[0].State == ConnectivityState.Ready && all[1].State == ConnectivityState.Ready
                ? new ChooseSecondPicker(all[0].Picker, all[1].Picker, _chooseSecond)
                : null;
    }

    private sealed class ChooseSecondPicker(Picker first, Picker second, int chooseSecond) : Picker
    {
        private uint _next;

        public override PickResult Pick(in PickContext context)
        {
            var next = Interlocked.Increment(ref _next);
            return chooseSecond != 0 && next % (uint)chooseSecond == 0 ? second.Pick(context) : first.Pick(context);
        }
    }
}
