using Grpc.Core;
using Microsoft.Extensions.Logging;
using Proxyless.Balancing;
using Proxyless.Calls;
using Proxyless.Configuration;
using Proxyless.Resolution;
using Proxyless.Transport;

namespace Proxyless;

/// <summary>
/// The heart of a balanced channel: owns the resolver, the root policy, the subchannels and the current picker, and
/// is the root policy's <see cref="IChannelControlHelper"/>. All policy work runs on <see cref="Serializer"/>.
/// </summary>
internal sealed class ChannelController : IChannelControlHelper, ISubchannelHost, IDisposable
{
    private readonly object _lock = new();
    private readonly ILogger _logger;
    private readonly Resolver _resolver;
    private readonly LoadBalancerRegistry _registry;
    private readonly HashSet<HttpSubchannel> _subchannels = [];
    private volatile PickerSnapshot _picker = new(Picker.Queue);
    private TaskCompletionSource _stateChanged = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ConnectivityState _state = ConnectivityState.Idle;
    private LoadBalancer? _balancer;
    private LoadBalancerProvider? _balancerProvider;
    private ServiceConfig _lastGoodResolverConfig;
    private PolicySelection _lastGoodPolicy;
    private int _started;
    private volatile string? _healthCheckServiceName;
    private readonly HashSet<string> _loggedWarnings = new(StringComparer.Ordinal);
    private volatile bool _disposed;
    private bool _resolverSuppliedConfig;
    private ResolverResult? _lastEndpoints;

    public ChannelController(
        ResolverTarget target,
        Resolver resolver,
        ServiceConfig defaultConfig,
        PolicySelection defaultPolicy,
        LoadBalancerRegistry registry,
        string authority,
        Uri baseUri,
        BalancedChannelOptions options,
        ILoggerFactory loggerFactory,
        TlsOptions? tls)
    {
        Tls = tls;
        DefaultServerName = baseUri.IdnHost.Trim('[', ']');
        LoggerFactory = loggerFactory;
        _logger = LoggerFactory.CreateLogger<BalancedChannel>();
        TimeProvider = options.TimeProvider;
        ConnectionOptions = options.Connection;
        Serializer = new WorkSerializer(_logger);
        Authority = authority;
        BaseUri = baseUri;
        Target = target;
        _registry = registry;
        _resolver = resolver;
        Adopt(defaultConfig, defaultPolicy);
    }

    public ResolverTarget Target { get; }

    public WorkSerializer Serializer { get; }

    /// <summary>The channel's logger.</summary>
    public ILogger Logger => _logger;

    public ILoggerFactory LoggerFactory { get; }

    public TimeProvider TimeProvider { get; }

    public ConnectionOptions ConnectionOptions { get; }

    public string Authority { get; }

    /// <inheritdoc />
    string IChannelControlHelper.Target => Target.Canonical;

    /// <summary>What the policy says about its endpoints, by address (see <see cref="LoadBalancer.DescribeEndpoints"/>).</summary>
    public Dictionary<string, string> DescribeEndpoints()
    {
        var notes = new Dictionary<string, string>(StringComparer.Ordinal);
        _balancer?.DescribeEndpoints(notes);
        return notes;
    }

    /// <summary>The name of the policy in use (the one the last update created), or null before the first update.</summary>
    public string? PolicyName => _balancerProvider?.PolicyName;

    public Uri BaseUri { get; }

    public TlsOptions? Tls { get; }

    /// <summary>The service name health-checked subchannels watch; null when the service config has no healthCheckConfig.</summary>
    public string? HealthCheckServiceName => _healthCheckServiceName;

    public string DefaultServerName { get; }

    public bool IsDisposed => _disposed;

    public PickerSnapshot CurrentPicker => _picker;

    public ConnectivityState State
    {
        get
        {
            lock (_lock)
            {
                return _state;
            }
        }
    }

    /// <summary>The subchannels that are not yet shut down (for diagnostics and tests).</summary>
    public IReadOnlyList<HttpSubchannel> Subchannels
    {
        get
        {
            lock (_lock)
            {
                return [.. _subchannels];
            }
        }
    }

    /// <summary>Starts resolution on first use and asks the policy to leave IDLE.</summary>
    public void ExitIdle()
    {
        if (_disposed)
        {
            return;
        }

        if (Interlocked.Exchange(ref _started, 1) == 0)
        {
            Serializer.Post(() =>
            {
                if (!_disposed)
                {
                    SetState(ConnectivityState.Connecting, _picker.Picker);
                }
            });
            _resolver.Start(result =>
            {
                var received = System.Diagnostics.Stopwatch.GetTimestamp();
                Serializer.Post(() => OnResolverResult(result, received));
            });
            return;
        }

        Serializer.Post(() => _balancer?.ExitIdle());
    }

    public async Task WaitForStateChangedAsync(ConnectivityState lastObserved, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task changed;
            lock (_lock)
            {
                if (_state != lastObserved)
                {
                    return;
                }

                changed = _stateChanged.Task;
            }

            await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    // IChannelControlHelper

    public Subchannel CreateSubchannel(BackendAddress address, Action<SubchannelState> onStateChanged, SubchannelOptions? options = null)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        HttpSubchannel? subchannel = null;
        subchannel = new HttpSubchannel(this, address, options?.HealthCheck == true, state =>
        {
            if (state.State == ConnectivityState.Shutdown)
            {
                lock (_lock)
                {
                    _subchannels.Remove(subchannel!);
                }
            }

            onStateChanged(state);
        });
        lock (_lock)
        {
            _subchannels.Add(subchannel);
        }

        return subchannel;
    }

    public void UpdateState(ConnectivityState state, Picker picker)
    {
        ArgumentNullException.ThrowIfNull(picker);
        if (_disposed)
        {
            return;
        }

        SetState(state, picker);
    }

    public void RefreshResolver() => _resolver.RefreshResolution();

    /// <summary>The resources the resolver follows (see <see cref="Resolver.DescribeResources"/>).</summary>
    public IReadOnlyList<Diagnostics.ResourceDiagnostics> DescribeResources() => _resolver.DescribeResources();

    public void Schedule(Action action) => Serializer.Post(action);

    public IDisposable ScheduleDelayed(TimeSpan delay, Action action)
        => TimeProvider.CreateTimer(_ => Serializer.Post(action), null, delay, Timeout.InfiniteTimeSpan);

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _resolver.Dispose();
        Serializer.Post(() =>
        {
            _balancer?.Dispose();
            _balancer = null;
        });

        HttpSubchannel[] remaining;
        lock (_lock)
        {
            remaining = [.. _subchannels];
            _subchannels.Clear();
        }

        foreach (var subchannel in remaining)
        {
            subchannel.Shutdown();
        }

        SetState(ConnectivityState.Shutdown, Picker.Fail(new Status(StatusCode.Unavailable, "the channel was disposed")));
    }

    private void SetState(ConnectivityState state, Picker picker)
    {
        var old = _picker;
        _picker = new PickerSnapshot(picker);
        old.MarkReplaced();
        TaskCompletionSource? changed = null;
        lock (_lock)
        {
            if (_state != state && _state != ConnectivityState.Shutdown)
            {
                _state = state;
                changed = _stateChanged;
                _stateChanged = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }

        if (changed is not null)
        {
            ChannelLog.StateChanged(_logger, state);
            changed.TrySetResult();
        }
    }

    // Each warning (an unknown field, a field that cannot be honoured) is logged once per channel, however often a
    // resolver sends the same config.
    // A valid service config and its policy become the channel's: the next endpoint update (or the current endpoints,
    // on a reload) applies them; health-checked subchannels watch its service name.
    [System.Diagnostics.CodeAnalysis.MemberNotNull(nameof(_lastGoodResolverConfig), nameof(_lastGoodPolicy))]
    private void Adopt(ServiceConfig config, PolicySelection policy)
    {
        _lastGoodResolverConfig = config;
        _lastGoodPolicy = policy;
        _healthCheckServiceName = config.HealthCheckConfig?.ServiceName;
        LogWarnings(config, policy);
    }

    private void LogWarnings(ServiceConfig config, PolicySelection policy)
    {
        foreach (var warning in config.Warnings.Concat(policy.Warnings))
        {
            if (_loggedWarnings.Add(warning))
            {
                ChannelLog.ServiceConfigWarning(_logger, warning);
            }
        }
    }

    /// <summary>
    /// Called on the serializer after each resolver result is applied, with how long it took (the scale benchmark's
    /// measure of update latency and cost).
    /// </summary>
    internal Action<ResolverResult, ResolverUpdateTiming>? ResolverResultApplied { get; set; }

    /// <summary>Called on the serializer just before a resolver result is applied (where a benchmark starts its own clocks).</summary>
    internal Action? ResolverResultApplying { get; set; }

    private void OnResolverResult(ResolverResult result, long received)
    {
        if (ResolverResultApplied is not { } applied)
        {
            OnResolverResult(result);
            return;
        }

        ResolverResultApplying?.Invoke();
        var paused = GC.GetTotalPauseDuration();
        var start = System.Diagnostics.Stopwatch.GetTimestamp();
        OnResolverResult(result);
        var end = System.Diagnostics.Stopwatch.GetTimestamp();
        applied(result, new ResolverUpdateTiming(
            System.Diagnostics.Stopwatch.GetElapsedTime(received, end),
            System.Diagnostics.Stopwatch.GetElapsedTime(start, end),
            GC.GetTotalPauseDuration() - paused));
    }

    private void OnResolverResult(ResolverResult result)
    {
        if (_disposed)
        {
            return;
        }

        ChannelLog.ResolverResult(_logger, result);
        var serviceConfig = _lastGoodResolverConfig;
        var policy = _lastGoodPolicy;
        if (result.ServiceConfigError.StatusCode != StatusCode.OK)
        {
            ChannelLog.BadResolverServiceConfig(_logger, result.ServiceConfigError.Detail);
        }
        else if (result.ServiceConfig is { } fromResolver && !ReferenceEquals(fromResolver, _lastGoodResolverConfig))
        {
            try
            {
                policy = _registry.SelectPolicy(fromResolver);
                serviceConfig = fromResolver;
                _resolverSuppliedConfig = true;
                Adopt(fromResolver, policy);
            }
            catch (ServiceConfigException ex)
            {
                ChannelLog.BadResolverServiceConfig(_logger, ex.Message);
            }
        }

        if (result.Endpoints is null)
        {
            if (_balancer is null)
            {
                SetState(ConnectivityState.TransientFailure, Picker.Fail(result.Error));
            }
            else
            {
                _balancer.ResolverError(result.Error);
            }

            return;
        }

        _lastEndpoints = result;
        ApplyEndpoints(result, serviceConfig, policy);
    }

    // Hands the endpoints to the policy, creating (or switching to) the chosen policy first.
    private void ApplyEndpoints(ResolverResult result, ServiceConfig serviceConfig, PolicySelection policy)
    {
        if (_balancer is null || !ReferenceEquals(_balancerProvider, policy.Provider))
        {
            _balancer?.Dispose();
            _balancer = policy.Provider.Create(this);
            _balancerProvider = policy.Provider;
            ChannelLog.PolicyChanged(_logger, policy.PolicyName);
        }

        var status = _balancer.UpdateChannelState(new ChannelState(result.Endpoints!, policy.Config, result.Attributes, serviceConfig));
        if (status.StatusCode != StatusCode.OK)
        {
            ChannelLog.UpdateRejected(_logger, status.Detail);
            _resolver.RefreshResolution();
        }
    }

    /// <summary>
    /// Replaces the channel's own service config (a configuration reload): its policy applies to new picks at once,
    /// over the current endpoints; calls in flight keep their subchannels. An invalid config is logged and the last
    /// good one stays. A config the resolver supplied takes precedence, as in gRPC. <c>methodConfig</c> and
    /// <c>retryThrottling</c> stay as the channel was created with (grpc-dotnet fixes them at creation).
    /// </summary>
    public void ReloadServiceConfig(ServiceConfig config, string source) => Serializer.Post(() =>
    {
        if (_disposed)
        {
            return;
        }

        PolicySelection policy;
        try
        {
            policy = _registry.SelectPolicy(config);
        }
        catch (ServiceConfigException ex)
        {
            ChannelLog.ReloadRejected(_logger, source, ex.Message);
            return;
        }

        if (_resolverSuppliedConfig)
        {
            ChannelLog.ReloadOverridden(_logger, source);
            return;
        }

        Adopt(config, policy);
        ChannelLog.Reloaded(_logger, source, policy.PolicyName);
        if (_lastEndpoints is { } endpoints)
        {
            ApplyEndpoints(endpoints, config, policy);
        }
    });
}
