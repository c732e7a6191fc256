using Grpc.Core;
using Proxyless.Balancing;
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

    private sealed class Balancer : LoadBalancer
    {
        private readonly IChannelControlHelper _helper;
        private readonly EndpointSharding _children;
        private int _repeatCount = 1;

        public Balancer(IChannelControlHelper helper)
        {
            _helper = helper;
            _children = new EndpointSharding(helper, OnChildrenChanged);
        }

        public override Status UpdateChannelState(ChannelState state)
        {
            _repeatCount = ((RepeatRoundRobinConfig)state.Config).RepeatCount;
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

            if (children.Count > 0 && children.All(c => c.State == ConnectivityState.Ready))
            {
                _helper.UpdateState(ConnectivityState.Ready, new Picker(children.Select(c => c.Picker).ToArray(), _repeatCount));
                return;
            }

            var failed = children.FirstOrDefault(c => c.State == ConnectivityState.TransientFailure);
            _helper.UpdateState(failed?.State ?? ConnectivityState.Connecting, failed?.Picker ?? Proxyless.Balancing.Picker.Queue);
        }
    }

    private sealed class Picker(Proxyless.Balancing.Picker[] children, int repeatCount) : Proxyless.Balancing.Picker
    {
        private long _next = -1;

        public override PickResult Pick(in PickContext context)
        {
            var next = Interlocked.Increment(ref _next);
            return children[(int)(next / repeatCount % children.Length)].Pick(context);
        }
    }
}
