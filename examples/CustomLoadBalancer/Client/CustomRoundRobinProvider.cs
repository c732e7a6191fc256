using Grpc.Core;
using Proxyless.Balancing;
using Proxyless.Configuration;

namespace CustomLoadBalancer.Client;

/// <summary>
/// custom_round_robin from grpc-go's customloadbalancer example: a pick_first child per endpoint (through
/// <see cref="EndpointSharding"/>); once the first two children are READY, calls go to the first child except every
/// <c>chooseSecond</c>-th, which goes to the second.
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

    private sealed class Balancer : LoadBalancer
    {
        private readonly IChannelControlHelper _helper;
        private readonly EndpointSharding _children;
        private int _chooseSecond = 3;

        public Balancer(IChannelControlHelper helper)
        {
            _helper = helper;
            _children = new EndpointSharding(helper, OnChildrenChanged);
        }

        public override Status UpdateChannelState(ChannelState state)
        {
            _chooseSecond = ((CustomRoundRobinConfig)state.Config).ChooseSecond;
            return _children.Update(state);
        }

        public override void ResolverError(Status error) => _children.ResolverError(error);

        public override void ExitIdle() => _children.ExitIdle();

        protected override void Dispose(bool disposing) => _children.Dispose();

        private void OnChildrenChanged(IReadOnlyList<EndpointChild> children)
        {
            foreach (var idle in children.Where(c => c.State == ConnectivityState.Idle))
            {
                _helper.Schedule(idle.ExitIdle);
            }

            if (children.Count >= 2 && children[0].State == ConnectivityState.Ready && children[1].State == ConnectivityState.Ready)
            {
                _helper.UpdateState(ConnectivityState.Ready, new Picker(children[0].Picker, children[1].Picker, _chooseSecond));
                return;
            }

            var failed = children.FirstOrDefault(c => c.State == ConnectivityState.TransientFailure);
            _helper.UpdateState(failed?.State ?? ConnectivityState.Connecting, failed?.Picker ?? Proxyless.Balancing.Picker.Queue);
        }
    }

    private sealed class Picker(Proxyless.Balancing.Picker first, Proxyless.Balancing.Picker second, int chooseSecond) : Proxyless.Balancing.Picker
    {
        private uint _next;

        public override PickResult Pick(in PickContext context)
        {
            var next = Interlocked.Increment(ref _next);
            return chooseSecond != 0 && next % (uint)chooseSecond == 0 ? second.Pick(context) : first.Pick(context);
        }
    }
}
