using System.Runtime.CompilerServices;
using Proxyless.Balancing.Policies.PickFirst;
using Proxyless.Diagnostics;
using Proxyless.Orca;
using Proxyless.Resolution;

namespace Proxyless.Balancing.Policies.WeightedRoundRobin;

/// <summary>
/// weighted_round_robin (gRFC A58). Every pick carries the endpoint's weight tracker, which reads the ORCA report in
/// the call's trailers. Every <c>weightUpdatePeriod</c> the picker is rebuilt with a static stride scheduler over the
/// current weights. ORCA weights count once a backend has reported for the blackout period and expire when stale; when
/// no READY backend has one, static weights (the <see cref="EndpointAttributes.Weight"/> attribute, default 1) apply.
/// </summary>
internal sealed class WeightedRoundRobinLoadBalancer : EndpointPickingLoadBalancer
{
    private readonly ConditionalWeakTable<EndpointChild, EndpointWeight> _weights = [];
    private WeightedRoundRobinConfig _config = new();
    private IDisposable? _timer;
    private long _sequence = System.Random.Shared.Next();
    private volatile (string Address, double Weight)[] _published = []; // the weights of the last picker, for diagnostics

    public WeightedRoundRobinLoadBalancer(IChannelControlHelper helper)
        : base(helper, PickFirstLoadBalancerProvider.Default)
    {
    }

    protected override void OnUpdate(ChannelState state)
    {
        var config = (WeightedRoundRobinConfig)state.Config;
        var restart = _timer is null || config.WeightUpdatePeriod != _config.WeightUpdatePeriod;
        _config = config;
        if (restart)
        {
            _timer?.Dispose();
            _timer = Helper.ScheduleDelayed(_config.WeightUpdatePeriod, OnUpdatePeriod);
        }
    }

    protected override Picker CreatePicker(IReadOnlyList<EndpointChild> ready, IReadOnlyList<EndpointChild> all)
    {
        var now = Helper.TimeProvider.GetTimestamp();
        var trackers = ready.Select(c => _weights.GetValue(c, _ => new EndpointWeight(Helper.TimeProvider))).ToArray();
        var weights = new double[trackers.Length];
        int notYetUsable = 0, stale = 0;
        for (var i = 0; i < trackers.Length; i++)
        {
            weights[i] = trackers[i].CurrentWeight(now, _config, out var usability);
            notYetUsable += usability == WeightUsability.NotYetUsable ? 1 : 0;
            stale += usability == WeightUsability.Stale ? 1 : 0;
        }

        var usable = weights;
        if (weights.All(w => w <= 0))
        {
            // No backend sends (fresh) ORCA reports: use the static weights the resolver or registry gave.
            weights = ready.Select(c => (double)c.Endpoint.Attributes.GetValueOrDefault(EndpointAttributes.Weight, 1)).ToArray();
        }

        _sequence += ready.Count;
        var scheduler = StaticStrideScheduler.Create(weights, _sequence);
        if (WrrMetrics.Enabled)
        {
            // A78: a fallback is an update with fewer than two usable ORCA weights; unusable weights are recorded as 0.
            WrrMetrics.SchedulerUpdated(Helper.Target, usable, notYetUsable, stale, fellBack: usable.Count(w => w > 0) < 2);
        }

        _published = [.. ready.Select((c, i) => (c.Endpoint.Addresses[0].ToString(), weights[i]))];
        return new WeightedPicker(ready.Select(c => c.Picker).ToArray(), trackers, scheduler, weights);
    }

    internal override void DescribeEndpoints(Dictionary<string, string> notes)
    {
        foreach (var (address, weight) in _published)
        {
            notes[address] = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"weight {weight:0.#}");
        }
    }

    protected override void Dispose(bool disposing)
    {
        _timer?.Dispose();
        _timer = null;
        base.Dispose(disposing);
    }

    private void OnUpdatePeriod()
    {
        if (_timer is null)
        {
            return;
        }

        Republish();
        _timer = Helper.ScheduleDelayed(_config.WeightUpdatePeriod, OnUpdatePeriod);
    }

    private enum WeightUsability
    {
        Usable,
        NotYetUsable,
        Stale,
    }

    /// <summary>An endpoint's ORCA-derived weight, fed by the trailers of its calls.</summary>
    private sealed class EndpointWeight(TimeProvider time) : ICallTracker
    {
        private readonly object _lock = new();
        private double _weight;
        private long _nonEmptySince;
        private long _lastUpdated;
        private double _penalty = 1.0;

        public void OnCallStarted()
        {
        }

        public void OnCallEnded(in CallCompletion completion)
        {
            if (!OrcaTrailer.TryRead(completion.Trailers, out var report))
            {
                return;
            }

            var utilization = report.ApplicationUtilization > 0 ? report.ApplicationUtilization : report.CpuUtilization;
            var qps = report.RpsFractional;
            if (utilization <= 0 || qps <= 0)
            {
                return; // A58: such a report says nothing about capacity
            }

            lock (_lock)
            {
                if (report.Eps > 0 && _penalty > 0)
                {
                    utilization += report.Eps / qps * _penalty;
                }

                var now = time.GetTimestamp();
                if (_nonEmptySince == 0)
                {
                    _nonEmptySince = now;
                }

                _lastUpdated = now;
                _weight = qps / utilization;
            }
        }

        public double CurrentWeight(long now, WeightedRoundRobinConfig config, out WeightUsability usability)
        {
            lock (_lock)
            {
                _penalty = config.ErrorUtilizationPenalty;
                if (_lastUpdated == 0)
                {
                    usability = WeightUsability.NotYetUsable; // no report yet
                    return 0;
                }

                if (time.GetElapsedTime(_lastUpdated, now) >= config.WeightExpirationPeriod)
                {
                    _nonEmptySince = 0; // stale: the blackout starts again with the next report
                    usability = WeightUsability.Stale;
                    return 0;
                }

                if (config.BlackoutPeriod > TimeSpan.Zero && time.GetElapsedTime(_nonEmptySince, now) < config.BlackoutPeriod)
                {
                    usability = WeightUsability.NotYetUsable; // within the blackout period
                    return 0;
                }

                usability = WeightUsability.Usable;
                return _weight;
            }
        }
    }

    private sealed class WeightedPicker(Picker[] pickers, EndpointWeight[] trackers, StaticStrideScheduler? scheduler, double[] weights) : Picker
    {
        private int _next = System.Random.Shared.Next(pickers.Length);

        public override PickResult Pick(in PickContext context)
        {
            var index = scheduler?.Pick() ?? (int)((uint)Interlocked.Increment(ref _next) % (uint)pickers.Length);
            var result = pickers[index].Pick(context);
            return result.Type == PickResultType.Complete ? TrackerChain.Attach(result, trackers[index]) : result;
        }

        public override string ToString() => $"WeightedRoundRobin({string.Join(", ", weights.Select(w => w.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture)))})";
    }
}
