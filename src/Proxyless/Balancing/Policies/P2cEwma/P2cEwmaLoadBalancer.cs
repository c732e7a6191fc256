using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Proxyless.Balancing.Policies.PickFirst;

namespace Proxyless.Balancing.Policies.P2cEwma;

/// <summary>
/// p2c_ewma: the power of two choices over a latency EWMA (see <see cref="P2cEwmaLoadBalancerProvider"/>). Estimates
/// belong to the endpoints' children, so they survive picker rebuilds. A pick costs O(choiceCount); finding endpoints
/// to probe scans the READY list at most twice per probe interval.
/// </summary>
internal sealed class P2cEwmaLoadBalancer(IChannelControlHelper helper) : EndpointPickingLoadBalancer(helper, PickFirstLoadBalancerProvider.Default)
{
    private readonly ConditionalWeakTable<EndpointChild, LatencyEstimate> _estimates = [];
    private P2cEwmaConfig _config = P2cEwmaConfig.Default;

    protected override void OnUpdate(ChannelState state) => _config = (P2cEwmaConfig)state.Config;

    protected override Picker CreatePicker(IReadOnlyList<EndpointChild> ready, IReadOnlyList<EndpointChild> all)
    {
        var estimates = ready.Select(c => _estimates.GetValue(c, _ => new LatencyEstimate(Helper.TimeProvider))).ToArray();
        foreach (var estimate in estimates)
        {
            estimate.Config = _config;
        }

        return new P2cEwmaPicker(ready.Select(c => c.Picker).ToArray(), estimates, _config, Helper.TimeProvider);
    }

    internal override void DescribeEndpoints(Dictionary<string, string> notes)
    {
        // Read on any thread: the estimates are thread-safe; the table is read without changing it.
        foreach (var (child, estimate) in _estimates)
        {
            notes[child.Endpoint.Addresses[0].ToString()] = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"ewma {estimate.EstimateMs:0.0} ms, {estimate.InFlight} in flight");
        }
    }

    private sealed class P2cEwmaPicker(Picker[] pickers, LatencyEstimate[] estimates, P2cEwmaConfig config, TimeProvider time) : Picker
    {
        private readonly ConcurrentQueue<int> _probes = new();
        private long _nextProbeScan = time.GetTimestamp();

        public override PickResult Pick(in PickContext context)
        {
            var now = time.GetTimestamp();
            var index = NextProbe(now) ?? Choose();
            var estimate = estimates[index];
            estimate.OnPicked(now);
            var result = pickers[index].Pick(context);
            return result.Type == PickResultType.Complete ? TrackerChain.Attach(result, estimate) : result;
        }

        // choiceCount distinct endpoints at random; the cheapest wins.
        private int Choose()
        {
            var count = pickers.Length;
            if (count == 1)
            {
                return 0;
            }

            var best = System.Random.Shared.Next(count);
            var bestCost = estimates[best].Cost;
            var choices = Math.Min(config.ChoiceCount, count);
            Span<int> drawn = stackalloc int[choices];
            drawn[0] = best;
            for (var i = 1; i < choices; i++)
            {
                int candidate;
                do
                {
                    candidate = System.Random.Shared.Next(count);
                }
                while (drawn[..i].Contains(candidate));

                drawn[i] = candidate;
                var cost = estimates[candidate].Cost;
                if (cost < bestCost)
                {
                    (best, bestCost) = (candidate, cost);
                }
            }

            return best;
        }

        // An endpoint not picked for the probe interval gets the next call. The scan that finds them runs at most
        // twice per interval, by whichever pick comes first.
        private int? NextProbe(long now)
        {
            if (!_probes.IsEmpty && _probes.TryDequeue(out var probe))
            {
                return probe;
            }

            var due = Interlocked.Read(ref _nextProbeScan);
            if (now < due || Interlocked.CompareExchange(ref _nextProbeScan, now + (long)(config.ProbeInterval.TotalSeconds / 2 * time.TimestampFrequency), due) != due)
            {
                return null;
            }

            for (var i = 0; i < estimates.Length; i++)
            {
                if (time.GetElapsedTime(estimates[i].LastPicked, now) >= config.ProbeInterval)
                {
                    _probes.Enqueue(i);
                }
            }

            return _probes.TryDequeue(out probe) ? probe : null;
        }
    }
}
