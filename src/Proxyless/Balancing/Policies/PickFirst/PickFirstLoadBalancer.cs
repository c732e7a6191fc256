using Microsoft.Extensions.Logging;
using Proxyless.Resolution;

namespace Proxyless.Balancing.Policies.PickFirst;

/// <summary>
/// pick_first (gRFC A61). Flattens the endpoints' addresses and interleaves address families. The first pass tries
/// them in order with Happy Eyeballs: an attempt that has not connected within the attempt delay (250 ms) gets
/// company from the next address, earlier attempts stay alive, and a failed attempt starts the next one at once.
/// The first to become READY gets every call and the others are shut down. When every address has failed once it
/// reports TRANSIENT_FAILURE and stays there ("sticky") while each address keeps retrying under its own backoff,
/// until one connects. When the chosen connection is lost it goes IDLE and reconnects on the next call.
/// </summary>
internal sealed class PickFirstLoadBalancer : LoadBalancer
{
    private readonly IChannelControlHelper _helper;
    private readonly ILogger _logger;
    private List<Entry> _entries = [];
    private PickFirstConfig _config = new();
    private Entry? _selected;
    private int _nextAttempt;
    private bool _passActive;
    private bool _firstPassFailed;
    private IDisposable? _attemptTimer;
    private ConnectivityState _state = ConnectivityState.Idle;
    private Status _lastError = Status.DefaultSuccess;
    private bool _disposed;

    public PickFirstLoadBalancer(IChannelControlHelper helper)
    {
        _helper = helper;
        _logger = helper.LoggerFactory.CreateLogger<PickFirstLoadBalancer>();
    }

    public override Status UpdateChannelState(ChannelState state)
    {
        _config = state.Config as PickFirstConfig ?? new PickFirstConfig();
        IEnumerable<BackendEndpoint> endpoints = state.Endpoints;
        if (_config.ShuffleAddressList)
        {
            var shuffled = endpoints.ToArray();
            System.Random.Shared.Shuffle(shuffled);
            endpoints = shuffled;
        }

        var addresses = AddressInterleaving.Interleave(endpoints);
        if (addresses.Count == 0)
        {
            StopPass();
            ShutdownAll();
            _entries = [];
            _selected = null;
            _lastError = new Status(StatusCode.Unavailable, "pick_first: the resolver returned no addresses");
            Report(ConnectivityState.TransientFailure, Picker.Fail(_lastError));
            return _lastError;
        }

        var old = _entries.ToDictionary(e => e.Address.ToString());
        var next = new List<Entry>(addresses.Count);
        foreach (var address in addresses)
        {
            next.Add(old.Remove(address.ToString(), out var kept) ? kept : new Entry(address));
        }

        foreach (var removed in old.Values)
        {
            removed.Shutdown();
        }

        _entries = next;
        if (_selected is not null && next.Contains(_selected))
        {
            return Status.DefaultSuccess; // still connected to an address that remains
        }

        _selected = null;
        StartFirstPass();
        return Status.DefaultSuccess;
    }

    public override void ResolverError(Status error)
    {
        if (_entries.Count == 0 || _state == ConnectivityState.TransientFailure)
        {
            _lastError = error;
            Report(ConnectivityState.TransientFailure, Picker.Fail(error));
        }
    }

    public override void ExitIdle()
    {
        if (_state == ConnectivityState.Idle && _entries.Count > 0 && !_disposed)
        {
            StartFirstPass();
        }
    }

    protected override void Dispose(bool disposing)
    {
        _disposed = true;
        StopPass();
        ShutdownAll();
        _entries = [];
        _selected = null;
    }

    private void StartFirstPass()
    {
        StopPass();
        _passActive = true;
        _firstPassFailed = false;
        _nextAttempt = 0;
        foreach (var entry in _entries)
        {
            entry.FailedThisPass = false;
        }

        if (_state != ConnectivityState.TransientFailure)
        {
            Report(ConnectivityState.Connecting, Picker.Queue);
        }

        StartNextAttempt();
    }

    // Starts the next address of the first pass and arms the Happy Eyeballs timer.
    private void StartNextAttempt()
    {
        _attemptTimer?.Dispose();
        _attemptTimer = null;
        while (_passActive && _nextAttempt < _entries.Count)
        {
            var entry = _entries[_nextAttempt++];
            var current = EnsureSubchannel(entry).State;
            if (current.State == ConnectivityState.TransientFailure)
            {
                // Still in backoff from earlier: it counts as failed for this pass; try the next one now.
                entry.FailedThisPass = true;
                _lastError = current.Status;
                continue;
            }

            entry.Subchannel!.RequestConnection();
            if (_nextAttempt < _entries.Count)
            {
                _attemptTimer = _helper.ScheduleDelayed(_config.ConnectionAttemptDelay, OnAttemptDelayElapsed);
            }

            return;
        }

        CheckFirstPassFailed();
    }

    private void OnAttemptDelayElapsed()
    {
        if (_passActive && _selected is null && !_disposed)
        {
            StartNextAttempt();
        }
    }

    private void OnSubchannelState(Entry entry, SubchannelState state)
    {
        if (_disposed || entry.Subchannel is null || !_entries.Contains(entry))
        {
            return;
        }

        switch (state.State)
        {
            case ConnectivityState.Ready:
                StopPass();
                _firstPassFailed = false;
                _selected = entry;
                foreach (var other in _entries)
                {
                    if (other != entry)
                    {
                        other.Shutdown(); // the losers of the race are closed
                    }
                }

                PickFirstLog.PickFirstConnected(_logger, entry.Address);
                Report(ConnectivityState.Ready, new SubchannelPicker(entry.Subchannel));
                break;

            case ConnectivityState.Idle when entry == _selected:
                // The connection was lost: go idle, reconnect from the top of the list on the next call.
                _selected = null;
                _helper.RefreshResolver();
                Report(ConnectivityState.Idle, new IdlePicker(_helper, ExitIdle));
                break;

            case ConnectivityState.Idle when _firstPassFailed:
                // Backoff is over for this address; after the first pass every address retries on its own.
                entry.Subchannel.RequestConnection();
                break;

            case ConnectivityState.TransientFailure when entry == _selected:
                // Connected, but its health check says NOT_SERVING: fail calls with that reason until it recovers.
                _lastError = state.Status;
                Report(ConnectivityState.TransientFailure, Picker.Fail(state.Status));
                break;

            case ConnectivityState.TransientFailure:
                _lastError = state.Status;
                if (_passActive)
                {
                    entry.FailedThisPass = true;
                    if (_entries.IndexOf(entry) == _nextAttempt - 1)
                    {
                        StartNextAttempt(); // the newest attempt failed: do not wait for the timer
                    }
                    else
                    {
                        CheckFirstPassFailed();
                    }
                }
                else if (_firstPassFailed)
                {
                    Report(ConnectivityState.TransientFailure, Picker.Fail(FailureStatus()));
                }

                break;
        }
    }

    private void CheckFirstPassFailed()
    {
        if (!_passActive || _nextAttempt < _entries.Count || _entries.Any(e => !e.FailedThisPass))
        {
            return;
        }

        StopPass();
        _firstPassFailed = true;
        _helper.RefreshResolver();
        Report(ConnectivityState.TransientFailure, Picker.Fail(FailureStatus()));
        foreach (var entry in _entries)
        {
            var subchannel = EnsureSubchannel(entry);
            if (subchannel.State.State == ConnectivityState.Idle)
            {
                subchannel.RequestConnection();
            }
        }
    }

    private Subchannel EnsureSubchannel(Entry entry)
        => entry.Subchannel ??= _helper.CreateSubchannel(entry.Address, s => OnSubchannelState(entry, s));

    private void StopPass()
    {
        _passActive = false;
        _attemptTimer?.Dispose();
        _attemptTimer = null;
    }

    private Status FailureStatus()
        => new(StatusCode.Unavailable, _entries.Count == 1
            ? $"pick_first: {_lastError.Detail}"
            : $"pick_first: none of {_entries.Count} addresses could be reached; last error: {_lastError.Detail}");

    private void Report(ConnectivityState state, Picker picker)
    {
        _state = state;
        _helper.UpdateState(state, picker);
    }

    private void ShutdownAll()
    {
        foreach (var entry in _entries)
        {
            entry.Shutdown();
        }
    }

    private sealed class Entry(BackendAddress address)
    {
        public BackendAddress Address { get; } = address;

        public Subchannel? Subchannel { get; set; }

        public bool FailedThisPass { get; set; }

        public void Shutdown()
        {
            Subchannel?.Shutdown();
            Subchannel = null;
        }
    }
}
