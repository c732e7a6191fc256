using System.Runtime.CompilerServices;
using Proxyless.Configuration;

namespace Proxyless.Balancing.Policies.LeastRequest;

/// <summary>
/// The <c>least_request</c> policy (gRFC A48): for each call, <c>choiceCount</c> READY endpoints are drawn at random
/// (with replacement) and the one with the fewest calls in flight wins. A call counts from its start to its true end,
/// so a stream counts until it finishes, not only until its first response.
/// </summary>
public sealed class LeastRequestLoadBalancerProvider : LoadBalancerProvider
{
    /// <summary>The policy name.</summary>
    public const string Name = "least_request";

    /// <inheritdoc />
    public override string PolicyName => Name;

    /// <inheritdoc />
    public override LoadBalancerConfig ParseConfig(ConfigObject config, LoadBalancerRegistry registry)
        => new LeastRequestConfig(Math.Min(config.GetInt32("choiceCount", 2, min: 2), 10));

    /// <inheritdoc />
    public override LoadBalancer Create(IChannelControlHelper helper) => new Balancer(helper);

    private sealed class Balancer(IChannelControlHelper helper) : EndpointPickingLoadBalancer(helper)
    {
        // Counters belong to endpoints (children), so they survive picker rebuilds.
        private readonly ConditionalWeakTable<EndpointChild, InFlightCounter> _counters = [];
        private int _choiceCount = 2;

        protected override string PolicyName => Name;

        protected override void OnUpdate(ChannelState state) => _choiceCount = ((LeastRequestConfig)state.Config).ChoiceCount;

        protected override Picker CreatePicker(IReadOnlyList<EndpointChild> ready, IReadOnlyList<EndpointChild> all)
            => new LeastRequestPicker(ready.Select(c => c.Picker).ToArray(), ready.Select(c => _counters.GetValue(c, _ => new InFlightCounter())).ToArray(), _choiceCount);
    }

    private sealed class InFlightCounter : ICallTracker
    {
        private int _inFlight;

        public int InFlight => Volatile.Read(ref _inFlight);

        public void OnCallStarted() => Interlocked.Increment(ref _inFlight);

        public void OnCallEnded(in CallCompletion completion) => Interlocked.Decrement(ref _inFlight);
    }

    private sealed class LeastRequestPicker(Picker[] pickers, InFlightCounter[] counters, int choiceCount) : Picker
    {
        public override PickResult Pick(in PickContext context)
        {
            var best = System.Random.Shared.Next(pickers.Length);
            for (var i = 1; i < choiceCount; i++)
            {
                var candidate = System.Random.Shared.Next(pickers.Length);
                if (counters[candidate].InFlight < counters[best].InFlight)
                {
                    best = candidate;
                }
            }

            var result = pickers[best].Pick(context);
            return result.Type == PickResultType.Complete ? TrackerChain.Attach(result, counters[best]) : result;
        }
    }
}
