using System.Runtime.CompilerServices;
using Proxyless.Balancing.Policies.PickFirst;

namespace Proxyless.Balancing.Policies.LeastRequest;

/// <summary>
/// least_request (gRFC A48): <c>choiceCount</c> READY endpoints drawn at random, the one with the fewest calls in flight
/// wins. The counters belong to the endpoints' children, so they survive picker rebuilds.
/// </summary>
internal sealed class LeastRequestLoadBalancer(IChannelControlHelper helper) : EndpointPickingLoadBalancer(helper, PickFirstLoadBalancerProvider.Default)
{
    private readonly ConditionalWeakTable<EndpointChild, InFlightCounter> _counters = [];
    private int _choiceCount = 2;

    protected override void OnUpdate(ChannelState state) => _choiceCount = ((LeastRequestConfig)state.Config).ChoiceCount;

    protected override Picker CreatePicker(IReadOnlyList<EndpointChild> ready, IReadOnlyList<EndpointChild> all)
        => new LeastRequestPicker(ready.Select(c => c.Picker).ToArray(), ready.Select(c => _counters.GetValue(c, _ => new InFlightCounter())).ToArray(), _choiceCount);

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
