using Proxyless.Balancing;
using Proxyless.Balancing.Policies;
using Proxyless.Xds.Resources;

namespace Proxyless.Xds.Policies;

/// <summary>The config of xds_cluster_impl: the cluster, its drop overloads, its circuit breaker and the child.</summary>
internal sealed record ClusterImplConfig(string Cluster, IReadOnlyList<XdsDropOverload> Drops, uint MaxRequests, PolicySelection Child) : LoadBalancerConfig
{
    public override string PolicyName => "xds_cluster_impl_experimental";
}

/// <summary>
/// gRPC's xds_cluster_impl: in front of one cluster priority's policy, it drops calls at the EDS drop-overload rates
/// (a drop fails the call, even wait-for-ready, and is not retried) and fails calls while the cluster already has
/// <c>max_requests</c> in flight (gRFC A32), counting calls to their true end.
/// </summary>
internal sealed class ClusterImplLoadBalancer : DelegatingLoadBalancer
{
    private readonly IChannelControlHelper _helper;
    private readonly InFlight _inFlight = new();
    private ClusterImplConfig? _config;

    public ClusterImplLoadBalancer(IChannelControlHelper helper)
    {
        _helper = helper;
    }

    public override Status UpdateChannelState(ChannelState state)
    {
        _config = (ClusterImplConfig)state.Config;
        return Child.Update(_config.Child, state);
    }

    protected override IChannelControlHelper CreateChildHelper() => new Helper(this);

    private sealed class Helper(ClusterImplLoadBalancer owner) : ForwardingHelper(owner._helper)
    {
        public override void UpdateState(ConnectivityState state, Picker picker)
        {
            var config = owner._config!;
            Parent.UpdateState(state, state == ConnectivityState.Ready || config.Drops.Count > 0 ? new ImplPicker(picker, config, owner._inFlight) : picker);
        }
    }

    private sealed class InFlight : ICallTracker
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public void OnCallStarted() => Interlocked.Increment(ref _count);

        public void OnCallEnded(in CallCompletion completion) => Interlocked.Decrement(ref _count);
    }

    private sealed class ImplPicker(Picker child, ClusterImplConfig config, InFlight inFlight) : Picker
    {
        public override PickResult Pick(in PickContext context)
        {
            foreach (var drop in config.Drops)
            {
                if ((uint)Random.Shared.Next(1_000_000) < drop.PerMillion)
                {
                    return PickResult.ForDrop(new Status(StatusCode.Unavailable, $"dropped by the load balancing policy of cluster {config.Cluster}: category {drop.Category}"));
                }
            }

            var result = child.Pick(context);
            if (result.Type != PickResultType.Complete)
            {
                return result;
            }

            if (inFlight.Count >= config.MaxRequests)
            {
                return PickResult.ForFailure(new Status(StatusCode.Unavailable, $"cluster {config.Cluster} has {config.MaxRequests} calls in flight, its circuit breaker's max_requests"));
            }

            return TrackerChain.Attach(result, inFlight);
        }
    }
}
