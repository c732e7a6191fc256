using Microsoft.Extensions.Logging;
using Proxyless.Diagnostics;
using Proxyless.Resolution;

namespace Proxyless.Balancing.Policies.OutlierDetection;

/// <summary>
/// outlier_detection (gRFC A50). Wraps the child policy's subchannels and counts every call's outcome per address
/// (through a call tracker on each pick). Every interval it runs success-rate and failure-percentage ejection over the
/// last interval's counts; an ejected address's subchannels look TRANSIENT_FAILURE to the child, so the child stops
/// picking them, until the ejection time (base x times ejected, capped) has passed.
/// </summary>
internal sealed class OutlierDetectionLoadBalancer : DelegatingLoadBalancer
{
    private readonly IChannelControlHelper _helper;
    private readonly ILogger _logger;
    private readonly Dictionary<string, AddressState> _addresses = new(StringComparer.Ordinal);
    private OutlierDetectionConfig? _config;
    private volatile string[] _ejected = []; // the ejected addresses, for diagnostics (PublishEjected)
    private IDisposable? _timer;
    private bool _disposed;

    public OutlierDetectionLoadBalancer(IChannelControlHelper helper)
    {
        _helper = helper;
        _logger = helper.LoggerFactory.CreateLogger<OutlierDetectionLoadBalancer>();
    }

    public override Status UpdateChannelState(ChannelState state)
    {
        var config = (OutlierDetectionConfig)state.Config;
        var intervalChanged = _config is null || _config.Interval != config.Interval;
        _config = config;

        // Keep the state of addresses still present; forget the others.
        var present = state.Endpoints.SelectMany(e => e.Addresses).Select(a => a.ToString()).ToHashSet(StringComparer.Ordinal);
        foreach (var gone in _addresses.Keys.Where(k => !present.Contains(k)).ToArray())
        {
            _addresses.Remove(gone);
        }

        foreach (var key in present)
        {
            if (!_addresses.ContainsKey(key))
            {
                _addresses[key] = new AddressState(key);
            }
        }

        if (!config.EjectionEnabled)
        {
            _timer?.Dispose();
            _timer = null;
            foreach (var address in _addresses.Values)
            {
                address.Uneject();
                address.Multiplier = 0;
            }
        }
        else if (_timer is null || intervalChanged)
        {
            _timer?.Dispose();
            _timer = _helper.ScheduleDelayed(config.Interval, OnInterval);
        }

        PublishEjected(); // addresses gone, or ejection turned off
        return Child.Update(config.ChildPolicy, state);
    }

    internal override void DescribeEndpoints(Dictionary<string, string> notes)
    {
        base.DescribeEndpoints(notes);
        foreach (var address in _ejected)
        {
            notes[address] = notes.TryGetValue(address, out var note) ? $"{note}, ejected" : "ejected";
        }
    }

    protected override IChannelControlHelper CreateChildHelper() => new ChildHelper(this);

    protected override void Dispose(bool disposing)
    {
        _disposed = true;
        _timer?.Dispose();
        _timer = null;
        base.Dispose(disposing);
    }

    private void OnInterval()
    {
        if (_disposed || _config is not { EjectionEnabled: true } config)
        {
            return;
        }

        var now = _helper.TimeProvider.GetUtcNow();
        foreach (var address in _addresses.Values)
        {
            address.SwapBuckets();
        }

        if (config.SuccessRateEjection is { } successRate)
        {
            RunSuccessRate(config, successRate, now);
        }

        if (config.FailurePercentageEjection is { } failure)
        {
            RunFailurePercentage(config, failure, now);
        }

        foreach (var address in _addresses.Values)
        {
            if (address.EjectedAt is null)
            {
                address.Multiplier = Math.Max(0, address.Multiplier - 1);
            }
            else
            {
                var cap = config.MaxEjectionTime > config.BaseEjectionTime ? config.MaxEjectionTime : config.BaseEjectionTime;
                var ejection = TimeSpan.FromTicks(Math.Min(config.BaseEjectionTime.Ticks * address.Multiplier, cap.Ticks));
                if (now >= address.EjectedAt.Value + ejection)
                {
                    address.Uneject();
                    OutlierLog.Unejected(_logger, address.Key);
                    ProxylessMetrics.Unejected(_helper.Target, address.Key);
                }
            }
        }

        PublishEjected();
        _timer = _helper.ScheduleDelayed(config.Interval, OnInterval);
    }

    // Diagnostics read the ejected addresses from any thread: a snapshot taken from the address states (on the
    // serializer) after every change, so it cannot drift from them.
    private void PublishEjected() => _ejected = [.. _addresses.Values.Where(a => a.EjectedAt is not null).Select(a => a.Key)];

    private void RunSuccessRate(OutlierDetectionConfig config, SuccessRateEjectionConfig settings, DateTimeOffset now)
    {
        var candidates = _addresses.Values.Where(a => a.LastTotal >= settings.RequestVolume).ToList();
        if (candidates.Count < settings.MinimumHosts || candidates.Count == 0)
        {
            return;
        }

        var rates = candidates.Select(a => (double)a.LastSuccesses / a.LastTotal).ToArray();
        var mean = rates.Average();
        var stdev = Math.Sqrt(rates.Select(r => (r - mean) * (r - mean)).Average());
        var threshold = mean - (stdev * (settings.StdevFactor / 1000.0));
        for (var i = 0; i < candidates.Count; i++)
        {
            if (MaxEjectedReached(config))
            {
                return;
            }

            if (rates[i] < threshold && candidates[i].EjectedAt is null && System.Random.Shared.Next(100) < settings.EnforcementPercentage)
            {
                Eject(candidates[i], now, "success_rate", $"success rate {rates[i]:P0} is below {threshold:P0} (mean {mean:P0})");
            }
        }
    }

    private void RunFailurePercentage(OutlierDetectionConfig config, FailurePercentageEjectionConfig settings, DateTimeOffset now)
    {
        var candidates = _addresses.Values.Where(a => a.LastTotal >= settings.RequestVolume).ToList();
        if (candidates.Count < settings.MinimumHosts)
        {
            return;
        }

        foreach (var address in candidates)
        {
            if (MaxEjectedReached(config))
            {
                return;
            }

            var failurePercent = 100.0 * address.LastFailures / address.LastTotal;
            if (failurePercent > settings.Threshold && address.EjectedAt is null && System.Random.Shared.Next(100) < settings.EnforcementPercentage)
            {
                Eject(address, now, "failure_percentage", $"{failurePercent:0}% of {address.LastTotal} calls failed (threshold {settings.Threshold}%)");
            }
        }
    }

    private bool MaxEjectedReached(OutlierDetectionConfig config)
        => _addresses.Count == 0 || 100.0 * _addresses.Values.Count(a => a.EjectedAt is not null) / _addresses.Count >= config.MaxEjectionPercent;

    private void Eject(AddressState address, DateTimeOffset now, string algorithm, string reason)
    {
        address.Multiplier++;
        OutlierLog.Ejected(_logger, address.Key, reason);
        ProxylessMetrics.Ejected(_helper.Target, address.Key, algorithm);
        address.Eject(now, new Status(StatusCode.Unavailable, $"{address.Key} is ejected by outlier detection: {reason}"));
    }

    /// <summary>Per-address call counts (two buckets: this interval and the last) and ejection state.</summary>
    private sealed class AddressState(string key) : ICallTracker
    {
        private Bucket _active = new();

        public string Key { get; } = key;

        public List<OutlierSubchannel> Subchannels { get; } = [];

        public int Multiplier { get; set; }

        public DateTimeOffset? EjectedAt { get; private set; }

        public Status EjectionStatus { get; private set; }

        public long LastSuccesses { get; private set; }

        public long LastFailures { get; private set; }

        public long LastTotal => LastSuccesses + LastFailures;

        public void OnCallStarted()
        {
        }

        public void OnCallEnded(in CallCompletion completion)
        {
            var bucket = Volatile.Read(ref _active);
            switch (completion.Status.StatusCode)
            {
                case StatusCode.OK:
                    Interlocked.Increment(ref bucket.Successes);
                    break;
                case StatusCode.Cancelled:
                    break; // the caller gave up: says nothing about the backend
                default:
                    Interlocked.Increment(ref bucket.Failures);
                    break;
            }
        }

        public void SwapBuckets()
        {
            var last = Interlocked.Exchange(ref _active, new Bucket());
            LastSuccesses = Interlocked.Read(ref last.Successes);
            LastFailures = Interlocked.Read(ref last.Failures);
        }

        public void Eject(DateTimeOffset now, Status status)
        {
            EjectedAt = now;
            EjectionStatus = status;
            foreach (var subchannel in Subchannels.ToArray())
            {
                subchannel.Publish();
            }
        }

        public void Uneject()
        {
            if (EjectedAt is null)
            {
                return;
            }

            EjectedAt = null;
            foreach (var subchannel in Subchannels.ToArray())
            {
                subchannel.Publish();
            }
        }
    }

    private sealed class Bucket
    {
        public long Successes;
        public long Failures;
    }

    /// <summary>The child's view of a subchannel: TRANSIENT_FAILURE while its address is ejected.</summary>
    private sealed class OutlierSubchannel(Subchannel inner, AddressState? address, Action<SubchannelState> listener) : DelegatingSubchannel(inner)
    {
        private SubchannelState _real = new(ConnectivityState.Idle, Status.DefaultSuccess);

        public AddressState? AddressState => address;

        public override SubchannelState State => address?.EjectedAt is not null
            ? new SubchannelState(ConnectivityState.TransientFailure, address.EjectionStatus)
            : Inner.State;

        public void OnRealState(SubchannelState state)
        {
            _real = state;
            if (state.State == ConnectivityState.Shutdown)
            {
                address?.Subchannels.Remove(this);
            }

            if (address?.EjectedAt is null || state.State == ConnectivityState.Shutdown)
            {
                listener(state);
            }
        }

        public void Publish() => listener(address?.EjectedAt is not null
            ? new SubchannelState(ConnectivityState.TransientFailure, address.EjectionStatus)
            : _real);

        public override void Shutdown()
        {
            address?.Subchannels.Remove(this);
            base.Shutdown();
        }
    }

    /// <summary>Adds the address's counting tracker to every pick of the child's picker.</summary>
    private sealed class CountingPicker(Picker child) : Picker
    {
        public override PickResult Pick(in PickContext context)
        {
            var result = child.Pick(context);
            if (result.Type != PickResultType.Complete || result.Subchannel is not OutlierSubchannel { AddressState: { } address })
            {
                return result;
            }

            return TrackerChain.Attach(result, address);
        }
    }

    private sealed class ChildHelper(OutlierDetectionLoadBalancer owner) : IChannelControlHelper
    {
        public TimeProvider TimeProvider => owner._helper.TimeProvider;

        public ILoggerFactory LoggerFactory => owner._helper.LoggerFactory;

        public string Authority => owner._helper.Authority;

        public string Target => owner._helper.Target;

        public Subchannel CreateSubchannel(BackendAddress address, Action<SubchannelState> onStateChanged, SubchannelOptions? options = null)
        {
            OutlierSubchannel? wrapper = null;
            var inner = owner._helper.CreateSubchannel(address, s => wrapper!.OnRealState(s), options);
            owner._addresses.TryGetValue(address.ToString(), out var state);
            wrapper = new OutlierSubchannel(inner, state, onStateChanged);
            state?.Subchannels.Add(wrapper);
            return wrapper;
        }

        public void UpdateState(ConnectivityState state, Picker picker)
            => owner._helper.UpdateState(state, owner._config?.EjectionEnabled == true ? new CountingPicker(picker) : picker);

        public void RefreshResolver() => owner._helper.RefreshResolver();

        public void Schedule(Action action) => owner._helper.Schedule(action);

        public IDisposable ScheduleDelayed(TimeSpan delay, Action action) => owner._helper.ScheduleDelayed(delay, action);
    }
}
