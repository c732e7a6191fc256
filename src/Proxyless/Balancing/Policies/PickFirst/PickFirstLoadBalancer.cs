using Grpc.Core;
using Microsoft.Extensions.Logging;
using Proxyless.Diagnostics;
using Proxyless.Resolution;

namespace Proxyless.Balancing.Policies.PickFirst;

/// <summary>
/// pick_first (gRFC A61): tries the addresses in order, one at a time; the first to become READY gets every call and
/// the others are shut down. When every address has failed once it reports TRANSIENT_FAILURE and stays there
/// ("sticky") while each address keeps retrying under its own backoff, until one connects. When the chosen
/// connection is lost it goes IDLE and reconnects on the next call.
/// </summary>
internal sealed class PickFirstLoadBalancer : LoadBalancer
{
    private readonly IChannelControlHelper _helper;
    private readonly ILogger _logger;
    private List<Entry> _entries = [];
    private Entry? _selected;
    private int _attemptIndex;
    private bool _firstPassFailed;
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
        var config = state.Config as PickFirstConfig ?? new PickFirstConfig();
        IEnumerable<BackendEndpoint> endpoints = state.Endpoints;
        if (config.ShuffleAddressList)
        {
            var shuffled = endpoints.ToArray();
            Random.Shared.Shuffle(shuffled);
            endpoints = shuffled;
        }

        var addresses = endpoints.SelectMany(e => e.Addresses).DistinctBy(a => a.ToString()).ToList();
        if (addresses.Count == 0)
        {
            ShutdownAll();
            _entries = [];
            _selected = null;
            var error = new Status(StatusCode.Unavailable, "pick_first: the resolver returned no addresses");
            _lastError = error;
            Report(ConnectivityState.TransientFailure, Picker.Fail(error));
            return error;
        }

        var old = _entries.ToDictionary(e => e.Address.ToString());
        var next = new List<Entry>(addresses.Count);
        foreach (var address in addresses)
        {
            if (old.Remove(address.ToString(), out var kept))
            {
                next.Add(kept);
            }
            else
            {
                next.Add(new Entry(address));
            }
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
        if (_state != ConnectivityState.Idle || _entries.Count > 0)
        {
            StartFirstPass();
        }

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
        ShutdownAll();
        _entries = [];
        _selected = null;
    }

    private void StartFirstPass()
    {
        _attemptIndex = 0;
        _firstPassFailed = false;
        if (_state != ConnectivityState.TransientFailure)
        {
            Report(ConnectivityState.Connecting, Picker.Queue);
        }

        Connect(_entries[0]);
    }

    private void Connect(Entry entry)
    {
        entry.Subchannel ??= _helper.CreateSubchannel(entry.Address, s => OnSubchannelState(entry, s));
        var current = entry.Subchannel.State;
        if (current.State == ConnectivityState.TransientFailure)
        {
            // Still in backoff from an earlier pass: count it as failed now and move on.
            _helper.Schedule(() => OnSubchannelState(entry, current));
            return;
        }

        entry.Subchannel.RequestConnection();
    }

    private void OnSubchannelState(Entry entry, SubchannelState state)
    {
        if (_disposed || entry.Subchannel is null || !_entries.Contains(entry))
        {
            return;
        }

        entry.LastState = state.State;
        switch (state.State)
        {
            case ConnectivityState.Ready:
                _selected = entry;
                foreach (var other in _entries)
                {
                    if (other != entry)
                    {
                        other.Shutdown();
                    }
                }

                PolicyLog.PickFirstConnected(_logger, entry.Address);
                Report(ConnectivityState.Ready, new SubchannelPicker(entry.Subchannel));
                break;

            case ConnectivityState.Idle when entry == _selected:
                // The connection was lost: go idle, reconnect from the top of the list on the next call.
                _selected = null;
                _helper.RefreshResolver();
                Report(ConnectivityState.Idle, new IdlePicker(_helper, ExitIdle));
                break;

            case ConnectivityState.Idle when _firstPassFailed || _entries.IndexOf(entry) == _attemptIndex:
                // Backoff is over for this address; after the first pass every address retries on its own.
                entry.Subchannel.RequestConnection();
                break;

            case ConnectivityState.TransientFailure:
                _lastError = state.Status;
                if (_firstPassFailed)
                {
                    Report(ConnectivityState.TransientFailure, Picker.Fail(FailureStatus()));
                    break;
                }

                if (_entries.IndexOf(entry) != _attemptIndex)
                {
                    break;
                }

                _attemptIndex++;
                if (_attemptIndex < _entries.Count)
                {
                    Connect(_entries[_attemptIndex]);
                    break;
                }

                _firstPassFailed = true;
                _helper.RefreshResolver();
                Report(ConnectivityState.TransientFailure, Picker.Fail(FailureStatus()));
                foreach (var e in _entries)
                {
                    if (e.Subchannel is null)
                    {
                        Connect(e);
                    }
                    else if (e.Subchannel.State.State == ConnectivityState.Idle)
                    {
                        e.Subchannel.RequestConnection();
                    }
                }

                break;
        }
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

        public ConnectivityState LastState { get; set; } = ConnectivityState.Idle;

        public void Shutdown()
        {
            Subchannel?.Shutdown();
            Subchannel = null;
        }
    }
}
