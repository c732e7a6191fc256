using Grpc.Core;
using Microsoft.Extensions.Logging;
using Proxyless.Balancing.Policies.PickFirst;
using Proxyless.Resolution;

namespace Proxyless.Balancing;

/// <summary>
/// The building block of delegating ("petiole") policies such as round_robin: one child policy per endpoint
/// (pick_first by default, which brings Happy Eyeballs and sticky transient failure), created and removed as the
/// endpoint list changes. After each change the parent's callback sees every child's state and picker and publishes
/// its own picker. Runs on the channel's serializer like any policy code.
/// </summary>
public sealed class EndpointSharding : IDisposable
{
    private readonly IChannelControlHelper _helper;
    private readonly Action<IReadOnlyList<EndpointChild>> _onChildrenChanged;
    private readonly LoadBalancerProvider _childProvider;
    private readonly LoadBalancerConfig _childConfig;
    private List<EndpointChild> _children = [];
    private bool _updating;
    private bool _disposed;

    /// <summary>Creates the sharding helper.</summary>
    /// <param name="helper">The parent policy's helper.</param>
    /// <param name="onChildrenChanged">Called after any child changes state or the endpoint list changes.</param>
    /// <param name="childProvider">The child policy; pick_first when null.</param>
    /// <param name="childConfig">The child policy's config; the provider's defaults when null.</param>
    public EndpointSharding(
        IChannelControlHelper helper,
        Action<IReadOnlyList<EndpointChild>> onChildrenChanged,
        LoadBalancerProvider? childProvider = null,
        LoadBalancerConfig? childConfig = null)
    {
        _helper = helper ?? throw new ArgumentNullException(nameof(helper));
        _onChildrenChanged = onChildrenChanged ?? throw new ArgumentNullException(nameof(onChildrenChanged));
        _childProvider = childProvider ?? new PickFirstLoadBalancerProvider();
        _childConfig = childConfig ?? _childProvider.ParseConfig(default, LoadBalancerRegistry.CreateDefault());
    }

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
        var old = _children.ToDictionary(c => c.Key);
        var next = new List<EndpointChild>(state.Endpoints.Count);
        var seen = new HashSet<string>();
        _updating = true;
        try
        {
            foreach (var endpoint in state.Endpoints)
            {
                var key = KeyOf(endpoint);
                if (!seen.Add(key))
                {
                    continue;
                }

                if (!old.Remove(key, out var child))
                {
                    child = new EndpointChild(endpoint, key);
                    child.Balancer = _childProvider.Create(new ChildHelper(this, child));
                }

                child.Endpoint = endpoint;
                next.Add(child);
                child.Balancer!.UpdateChannelState(state with { Endpoints = [endpoint], Config = _childConfig });
            }

            foreach (var removed in old.Values)
            {
                removed.Balancer?.Dispose();
                removed.Balancer = null;
            }

            _children = next;
        }
        finally
        {
            _updating = false;
        }

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
        foreach (var child in _children)
        {
            child.Balancer?.Dispose();
            child.Balancer = null;
        }

        _children = [];
    }

    private static string KeyOf(BackendEndpoint endpoint)
        => endpoint.Addresses.Count == 1
            ? endpoint.Addresses[0].ToString()
            : string.Join(",", endpoint.Addresses.Select(a => a.ToString()).Order(StringComparer.Ordinal));

    private void OnChildState(EndpointChild child, ConnectivityState state, Picker picker)
    {
        if (child.Balancer is null && !_updating)
        {
            return; // a removed child reporting late
        }

        child.State = state;
        child.Picker = picker;
        if (!_updating && !_disposed)
        {
            _onChildrenChanged(_children);
        }
    }

    private sealed class ChildHelper(EndpointSharding owner, EndpointChild child) : IChannelControlHelper
    {
        public TimeProvider TimeProvider => owner._helper.TimeProvider;

        public ILoggerFactory LoggerFactory => owner._helper.LoggerFactory;

        public string Authority => owner._helper.Authority;

        // Children of a delegating policy health-check their subchannels (gRFC A61), when the config asks for it.
        public Subchannel CreateSubchannel(BackendAddress address, Action<SubchannelState> onStateChanged, SubchannelOptions? options = null)
            => owner._helper.CreateSubchannel(address, onStateChanged, (options ?? new SubchannelOptions()) with { HealthCheck = true });

        public void UpdateState(ConnectivityState state, Picker picker) => owner.OnChildState(child, state, picker);

        public void RefreshResolver() => owner._helper.RefreshResolver();

        public void Schedule(Action action) => owner._helper.Schedule(action);

        public IDisposable ScheduleDelayed(TimeSpan delay, Action action) => owner._helper.ScheduleDelayed(delay, action);
    }
}
