using Grpc.Core;
using Microsoft.Extensions.Logging;
using Proxyless.Resolution;

namespace Proxyless.Balancing;

/// <summary>
/// The building block of delegating ("petiole") policies such as round_robin: one child policy per endpoint
/// (pick_first by default, which brings Happy Eyeballs and sticky transient failure), created and removed as the
/// endpoint list changes. After each change the parent's callback sees every child's state and picker and publishes
/// its own picker. An update touches only the children whose endpoint changed (an unchanged endpoint keeps its
/// child untouched), so its cost follows what changed. New children start at once when the update grows the list by
/// at most <see cref="StartBatch"/>; otherwise they all start in scheduled batches, so a huge update is applied (and
/// its picker published) in milliseconds before any connection attempt competes with it. Batches keep at most
/// <see cref="StartBatch"/> children in their first connection attempt: more start as earlier ones answer (READY or
/// failed), or after <see cref="StartStallDelay"/> when none did, so a connect storm over thousands of endpoints never
/// queues thousands of attempts ahead of the first endpoint that can connect. Runs on the channel's serializer like any
/// policy code.
/// </summary>
public sealed class EndpointSharding : IDisposable
{
    private readonly IChannelControlHelper _helper;
    private readonly Action<IReadOnlyList<EndpointChild>> _onChildrenChanged;
    private readonly LoadBalancerProvider _childProvider;
    private readonly LoadBalancerConfig _childConfig;
    /// <summary>
    /// How many new children start within an update, and per scheduled batch after it. A child waiting for its batch has
    /// no policy yet (it costs an entry in the list, nothing more) and counts as CONNECTING.
    /// </summary>
    internal const int StartBatch = 256;

    /// <summary>
    /// How long batches wait for a full window of first attempts to answer before starting another batch anyway
    /// (addresses that never answer, only time out, must not hold the rest back for a connect timeout).
    /// </summary>
    internal static readonly TimeSpan StartStallDelay = TimeSpan.FromMilliseconds(250);

    private int _firstAttempts; // started children whose first connection attempt has not answered yet
    private IDisposable? _stallTimer;

    private readonly Action<EndpointChild, ConnectivityState>? _onChildStateChanged;
    private readonly Queue<EndpointChild> _toStart = new();
    private bool _startScheduled;
    private readonly Dictionary<string, EndpointChild> _byKey = new(StringComparer.Ordinal);
    private List<EndpointChild> _children = [];
    private int _generation; // of the latest update: children it kept or created carry it
    private ChannelState? _lastState;
    private bool _updating;
    private bool _disposed;

    /// <summary>Creates the sharding helper.</summary>
    /// <param name="helper">The parent policy's helper.</param>
    /// <param name="childPolicy">
    /// The policy each endpoint gets, with its config (gRPC uses pick_first:
    /// <see cref="Policies.PickFirst.PickFirstLoadBalancerProvider.Default"/>).
    /// </param>
    /// <param name="onChildrenChanged">Called after any child changes state or the endpoint list changes.</param>
    public EndpointSharding(IChannelControlHelper helper, PolicySelection childPolicy, Action<IReadOnlyList<EndpointChild>> onChildrenChanged)
    {
        _helper = helper ?? throw new ArgumentNullException(nameof(helper));
        ArgumentNullException.ThrowIfNull(childPolicy);
        _onChildrenChanged = onChildrenChanged ?? throw new ArgumentNullException(nameof(onChildrenChanged));
        _childProvider = childPolicy.Provider;
        _childConfig = childPolicy.Config;
    }

    /// <summary>
    /// For <see cref="EndpointPickingLoadBalancer"/>: child state changes are reported one at a time, with the child's
    /// previous state, to <paramref name="onChildStateChanged"/>; <paramref name="onChildrenChanged"/> then runs only
    /// after endpoint list updates. That keeps a connect storm over thousands of endpoints linear.
    /// </summary>
    internal EndpointSharding(IChannelControlHelper helper, PolicySelection childPolicy, Action<IReadOnlyList<EndpointChild>> onChildrenChanged, Action<EndpointChild, ConnectivityState> onChildStateChanged)
        : this(helper, childPolicy, onChildrenChanged)
        => _onChildStateChanged = onChildStateChanged;

    /// <summary>The children, in the order of the latest endpoint list.</summary>
    public IReadOnlyList<EndpointChild> Children => _children;

    /// <summary>
    /// Applies a resolver update: creates a child for each new endpoint (keyed by its address set), updates kept
    /// children, shuts down removed ones, then calls the parent's callback once.
    /// </summary>
    /// <param name="state">The channel state; each child receives it narrowed to its own endpoint.</param>
    /// <returns>OK, or an error when the update has no endpoints.</returns>
    public Status Update(ChannelState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var generation = ++_generation;
        var next = new List<EndpointChild>(state.Endpoints.Count);

        // A kept child whose endpoint is the same as before needs no update, unless what else children see changed.
        var sameContext = _lastState is { } last && ReferenceEquals(last.Attributes, state.Attributes) && ReferenceEquals(last.ServiceConfig, state.ServiceConfig);
        _lastState = state;

        // An update that grows the list by more than a batch starts none of its new children itself: they all start in
        // scheduled batches, so the update is applied (and its picker published) before any connection attempt runs.
        var startedNow = state.Endpoints.Count - _children.Count > StartBatch ? StartBatch : 0;
        _updating = true;
        try
        {
            foreach (var endpoint in state.Endpoints)
            {
                var key = KeyOf(endpoint);
                if (_byKey.TryGetValue(key, out var child))
                {
                    if (child.Generation == generation)
                    {
                        continue; // the same address set twice in one list
                    }

                    child.Generation = generation;
                    next.Add(child);
                    if (child.Balancer is null || (sameContext && child.Endpoint.SameAs(endpoint)))
                    {
                        child.Endpoint = endpoint; // a child still waiting for its batch starts with the newest endpoint
                        continue;
                    }
                }
                else
                {
                    child = new EndpointChild(endpoint, key) { Generation = generation };
                    _byKey.Add(key, child);
                    next.Add(child);
                    if (startedNow >= StartBatch)
                    {
                        _toStart.Enqueue(child); // CONNECTING, with no policy yet, until its batch starts it
                        continue;
                    }

                    startedNow++;
                    child.Balancer = Start(child);
                }

                child.Endpoint = endpoint;
                child.Balancer.UpdateChannelState(state with { Endpoints = [endpoint], Config = _childConfig });
            }

            foreach (var previous in _children)
            {
                if (previous.Generation != generation)
                {
                    _byKey.Remove(previous.Key);
                    Remove(previous);
                }
            }

            _children = next;
        }
        finally
        {
            _updating = false;
        }

        ScheduleStarts();
        _onChildrenChanged(_children);
        return next.Count == 0
            ? new Status(StatusCode.Unavailable, "the resolver returned no endpoints")
            : Status.DefaultSuccess;
    }

    /// <summary>Passes a resolver error to every child (children with working connections ignore it).</summary>
    /// <param name="error">The error.</param>
    public void ResolverError(Status error)
    {
        _updating = true;
        try
        {
            foreach (var child in _children)
            {
                child.Balancer?.ResolverError(error);
            }
        }
        finally
        {
            _updating = false;
        }

        _onChildrenChanged(_children);
    }

    /// <summary>Asks every idle child to connect.</summary>
    public void ExitIdle()
    {
        foreach (var child in _children)
        {
            if (child.State == ConnectivityState.Idle)
            {
                child.ExitIdle();
            }
        }
    }

    /// <summary>
    /// The aggregate state by gRPC's rules for delegating policies: READY if any child is READY, else CONNECTING if any
    /// is CONNECTING, else IDLE if any is IDLE, else TRANSIENT_FAILURE (also for no children).
    /// </summary>
    /// <param name="children">The children.</param>
    public static ConnectivityState AggregateState(IReadOnlyList<EndpointChild> children)
    {
        ArgumentNullException.ThrowIfNull(children);
        bool connecting = false, idle = false;
        foreach (var child in children)
        {
            switch (child.State)
            {
                case ConnectivityState.Ready:
                    return ConnectivityState.Ready;
                case ConnectivityState.Connecting:
                    connecting = true;
                    break;
                case ConnectivityState.Idle:
                    idle = true;
                    break;
            }
        }

        return connecting ? ConnectivityState.Connecting : idle ? ConnectivityState.Idle : ConnectivityState.TransientFailure;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _stallTimer?.Dispose();
        _stallTimer = null;
        foreach (var child in _children)
        {
            Remove(child);
        }

        _children = [];
        _byKey.Clear();
    }

    // Schedules the next batch when the window of first attempts has room, or arms the stall timer when it is full.
    private void ScheduleStarts()
    {
        if (_toStart.Count == 0 || _disposed)
        {
            return;
        }

        if (_firstAttempts < StartBatch)
        {
            if (!_startScheduled)
            {
                _startScheduled = true;
                _helper.Schedule(() =>
                {
                    _startScheduled = false;
                    StartQueuedChildren(StartBatch - _firstAttempts);
                });
            }
        }
        else
        {
            _stallTimer ??= _helper.ScheduleDelayed(StartStallDelay, () =>
            {
                _stallTimer = null;
                StartQueuedChildren(StartBatch); // none answered for a while: another batch regardless
            });
        }
    }

    // Starts up to `count` children an update left for later (with the newest endpoint and context).
    private void StartQueuedChildren(int count)
    {
        for (var started = 0; started < count && !_disposed && _toStart.TryDequeue(out var child);)
        {
            if (!child.Removed && _lastState is { } state)
            {
                child.Balancer = Start(child);
                child.Balancer.UpdateChannelState(state with { Endpoints = [child.Endpoint], Config = _childConfig });
                started++;
            }
        }

        ScheduleStarts();
    }

    // A new policy for the child, which takes a place in the window of first attempts.
    private LoadBalancer Start(EndpointChild child)
    {
        child.FirstAttempt = true;
        _firstAttempts++;
        return _childProvider.Create(new ChildHelper(this, child));
    }

    private void Remove(EndpointChild child)
    {
        child.Balancer?.Dispose();
        child.Balancer = null;
        child.Removed = true;
        EndFirstAttempt(child);
    }

    // The child answered its first connection attempt (or went away): room for another child to start.
    private void EndFirstAttempt(EndpointChild child)
    {
        if (child.FirstAttempt)
        {
            child.FirstAttempt = false;
            _firstAttempts--;
        }
    }

    private static string KeyOf(BackendEndpoint endpoint)
        => endpoint.Addresses.Count == 1
            ? endpoint.Addresses[0].ToString()
            : string.Join(",", endpoint.Addresses.Select(a => a.ToString()).Order(StringComparer.Ordinal));

    private void OnChildState(EndpointChild child, ConnectivityState state, Picker picker)
    {
        if (child.Removed)
        {
            return; // a removed child reporting late
        }

        var previous = child.State;
        child.State = state;
        child.Picker = picker;
        if (child.FirstAttempt && state != ConnectivityState.Connecting)
        {
            EndFirstAttempt(child);
            if (!_updating)
            {
                ScheduleStarts();
            }
        }

        if (_onChildStateChanged is not null)
        {
            if (!_disposed && !_updating)
            {
                _onChildStateChanged(child, previous); // during an update, the recount at its end covers it
            }
        }
        else if (!_updating && !_disposed)
        {
            _onChildrenChanged(_children);
        }
    }

    private sealed class ChildHelper(EndpointSharding owner, EndpointChild child) : IChannelControlHelper
    {
        public TimeProvider TimeProvider => owner._helper.TimeProvider;

        public ILoggerFactory LoggerFactory => owner._helper.LoggerFactory;

        public string Authority => owner._helper.Authority;

        public string Target => owner._helper.Target;

        // Children of a delegating policy health-check their subchannels (gRFC A61), when the config asks for it.
        public Subchannel CreateSubchannel(BackendAddress address, Action<SubchannelState> onStateChanged, SubchannelOptions? options = null)
            => owner._helper.CreateSubchannel(address, onStateChanged, (options ?? new SubchannelOptions()) with { HealthCheck = true });

        public void UpdateState(ConnectivityState state, Picker picker) => owner.OnChildState(child, state, picker);

        public void RefreshResolver() => owner._helper.RefreshResolver();

        public void Schedule(Action action) => owner._helper.Schedule(action);

        public IDisposable ScheduleDelayed(TimeSpan delay, Action action) => owner._helper.ScheduleDelayed(delay, action);
    }
}
