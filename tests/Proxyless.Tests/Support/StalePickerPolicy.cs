using Proxyless.Balancing;
using Proxyless.Configuration;

namespace Proxyless.Tests.Support;

/// <summary>
/// A test policy, <c>stale_rotation</c>, whose picker rotates over every address whatever its state: it behaves like a
/// picker that has not yet heard that a backend died, which is the window transparent retry covers. Like any policy it
/// asks its subchannels to connect (again when they go IDLE) and publishes a new picker, the same rotation, whenever
/// one changes state.
/// </summary>
internal sealed class StalePickerPolicyProvider : LoadBalancerProvider
{
    public override string PolicyName => "stale_rotation";

    public override LoadBalancerConfig ParseConfig(ConfigObject config, LoadBalancerRegistry registry) => new Config();

    public override LoadBalancer Create(IChannelControlHelper helper) => new Balancer(helper);

    private sealed record Config : LoadBalancerConfig
    {
        public override string PolicyName => "stale_rotation";
    }

    private sealed class Balancer(IChannelControlHelper helper) : LoadBalancer
    {
        private readonly List<Subchannel> _subchannels = [];

        public override Status UpdateChannelState(ChannelState state)
        {
            foreach (var endpoint in state.Endpoints)
            {
                Subchannel? subchannel = null;
                subchannel = helper.CreateSubchannel(endpoint.Addresses[0], s =>
                {
                    if (s.State == ConnectivityState.Idle)
                    {
                        subchannel!.RequestConnection();
                    }

                    Publish();
                });
                _subchannels.Add(subchannel);
                subchannel.RequestConnection();
            }

            Publish();
            return Status.DefaultSuccess;
        }

        private void Publish() => helper.UpdateState(ConnectivityState.Ready, new Rotation(_subchannels.Select(s => PickResult.ForSubchannel(s)).ToArray()));

        public override void ResolverError(Status error)
        {
        }

        protected override void Dispose(bool disposing) => _subchannels.ForEach(s => s.Shutdown());
    }

    private sealed class Rotation(PickResult[] results) : Picker
    {
        private int _next = -1;

        public override PickResult Pick(in PickContext context) => results[(uint)Interlocked.Increment(ref _next) % (uint)results.Length];
    }
}
