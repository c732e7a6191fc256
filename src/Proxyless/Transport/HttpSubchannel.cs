using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Proxyless.Balancing;
using Proxyless.Configuration;
using Proxyless.Diagnostics;
using Proxyless.Resolution;

namespace Proxyless.Transport;

/// <summary>
/// A subchannel over HTTP/2: its own <see cref="SocketsHttpHandler"/> whose connect step dials this one address.
/// READY only after the server answered an HTTP/2 request; back to IDLE as soon as a connection is lost; gRPC
/// connection backoff between failed attempts (TRANSIENT_FAILURE, then IDLE when the backoff ends).
/// </summary>
internal sealed class HttpSubchannel : Subchannel
{
    private readonly ISubchannelHost _host;
    private readonly Action<SubchannelState> _listener;
    private readonly ILogger _logger;
    private readonly SocketsHttpHandler _handler;
    private readonly HttpMessageInvoker _invoker;
    private readonly ExponentialBackoff _backoff;
    private readonly TlsConnectionValidator? _tls;
    private readonly string? _authorityOverride;
    private readonly object _lock = new();
    private readonly CancellationTokenSource _shutdown = new();
    private readonly bool _healthCheck;
    private SubchannelState _state = new(ConnectivityState.Idle, Status.DefaultSuccess); // the connection's state
    private SubchannelState _reported = new(ConnectivityState.Idle, Status.DefaultSuccess); // what the policy sees
    private CancellationTokenSource? _healthCts;
    private bool _healthKnown;
    private SubchannelState _health;
    private Grpc.Net.Client.GrpcChannel? _healthChannel;
    private CancellationTokenSource? _connectCts;
    private IDisposable? _backoffTimer;
    private int _activeCalls;
    private int _openConnections;
    private int _handlerDisposed;

    public HttpSubchannel(ISubchannelHost host, BackendAddress address, bool healthCheck, Action<SubchannelState> listener)
    {
        _host = host;
        _healthCheck = healthCheck;
        Address = address;
        PeerText = address.ToString();
        _listener = listener;
        _logger = host.LoggerFactory.CreateLogger<HttpSubchannel>();
        var options = host.ConnectionOptions;
        _backoff = new ExponentialBackoff(options.Backoff);
        _handler = new SocketsHttpHandler
        {
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            EnableMultipleHttp2Connections = true,
            KeepAlivePingDelay = options.KeepAlivePingDelay,
            KeepAlivePingTimeout = options.KeepAlivePingTimeout,
            KeepAlivePingPolicy = options.KeepAliveWithoutCalls ? HttpKeepAlivePingPolicy.Always : HttpKeepAlivePingPolicy.WithActiveRequests,
            UseProxy = false,
            UseCookies = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            ConnectCallback = ConnectAsync,
            PlaintextStreamFilter = (context, _) => ValueTask.FromResult<Stream>(WatchConnection(context.PlaintextStream)),
        };
        if (host.Tls is { } tls)
        {
            var serverName = address.Attributes.TryGetValue(AddressAttributes.ServerName, out var name) ? name : tls.ServerNameOverride ?? host.DefaultServerName;
            _tls = new TlsConnectionValidator(tls, address, serverName, host.TimeProvider);
            _tls.Apply(_handler);

            // An address with its own TLS name is reached under that name: it becomes SNI, the name verified, and the
            // :authority of calls on this subchannel (as grpc-go does with an address's ServerName).
            _authorityOverride = serverName == host.DefaultServerName ? null : serverName;
        }

        options.ConfigureHandler?.Invoke(address, _handler);
        _invoker = new HttpMessageInvoker(_handler, disposeHandler: false);
    }

    public override BackendAddress Address { get; }

    /// <summary>The address as text, as reported to callers in the peer header.</summary>
    public string PeerText { get; }

    public override SubchannelState State
    {
        get
        {
            lock (_lock)
            {
                return _reported;
            }
        }
    }

    /// <summary>Calls currently in flight on this subchannel.</summary>
    public int ActiveCalls => Volatile.Read(ref _activeCalls);

    /// <summary>HTTP/2 connections currently open.</summary>
    public int OpenConnections => Volatile.Read(ref _openConnections);

    public override void RequestConnection()
    {
        CancellationTokenSource cts;
        lock (_lock)
        {
            if (_state.State != ConnectivityState.Idle)
            {
                return;
            }

            cts = new CancellationTokenSource(_backoff.ConnectTimeout, _host.TimeProvider);
            _connectCts = cts;
            SetStateLocked(ConnectivityState.Connecting, Status.DefaultSuccess);
        }

        _host.Serializer.Drain();
        _ = ConnectWithProbeAsync(cts);
    }

    public override void Shutdown()
    {
        bool disposeNow;
        lock (_lock)
        {
            if (_state.State == ConnectivityState.Shutdown)
            {
                return;
            }

            _connectCts?.Cancel();
            _healthCts?.Cancel();
            _shutdown.Cancel(); // abandons connection attempts still in progress
            _backoffTimer?.Dispose();
            _backoffTimer = null;
            SetStateLocked(ConnectivityState.Shutdown, Status.DefaultSuccess);
            disposeNow = _activeCalls == 0;
        }

        _host.Serializer.Drain();
        if (disposeNow)
        {
            DisposeHandler();
        }
    }

    /// <summary>Reserves a call slot; false when the subchannel was shut down after it was picked.</summary>
    public bool TryAcquireCall()
    {
        Interlocked.Increment(ref _activeCalls);
        if (Volatile.Read(ref _handlerDisposed) != 0 || _state.State == ConnectivityState.Shutdown)
        {
            ReleaseCall();
            return false;
        }

        return true;
    }

    /// <summary>Ends a call slot; the last call on a shut-down subchannel closes its connections.</summary>
    public void ReleaseCall()
    {
        if (Interlocked.Decrement(ref _activeCalls) == 0 && _state.State == ConnectivityState.Shutdown)
        {
            DisposeHandler();
        }
    }

    public Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (_authorityOverride is not null)
        {
            request.Headers.Host = _authorityOverride;
        }

        return _invoker.SendAsync(request, cancellationToken);
    }

    /// <summary>
    /// A call could not open a connection although the subchannel was READY (the backend died between the pick and
    /// the connect). With no connection left, the subchannel is not READY any more: it goes IDLE, so policies move on.
    /// </summary>
    public void ReportConnectFailure(string reason)
    {
        lock (_lock)
        {
            if (_state.State != ConnectivityState.Ready || OpenConnections > 0)
            {
                return;
            }

            SetStateLocked(ConnectivityState.Idle, new Status(StatusCode.Unavailable, $"connecting to {PeerText} failed: {reason}"));
        }

        _host.Serializer.Drain();
    }

    /// <summary>The TLS server name this subchannel verifies, or null without TLS.</summary>
    public string? ServerName => _tls?.ServerName;

    /// <summary>Says precisely why a TLS handshake failed (address, expected name, certificate names), or null.</summary>
    public string? DescribeTlsFailure(Exception exception) => _tls?.Describe(exception);

    public override string ToString() => $"Subchannel({PeerText}, {State})";

    private async Task ConnectWithProbeAsync(CancellationTokenSource cts)
    {
        var timeout = _backoff.ConnectTimeout;
        SubchannelLog.Connecting(_logger, PeerText);
        Status failure;
        try
        {
            await LivenessProbe.ProbeAsync(_invoker, _host.BaseUri, _authorityOverride, cts.Token).ConfigureAwait(false);
            lock (_lock)
            {
                if (_connectCts == cts)
                {
                    _connectCts = null;
                    _backoff.Reset();
                    SetStateLocked(ConnectivityState.Ready, Status.DefaultSuccess);
                }
            }

            SubchannelLog.Connected(_logger, PeerText);
            _host.Serializer.Drain();
            cts.Dispose();
            return;
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            failure = new Status(StatusCode.Unavailable, OpenConnections > 0
                ? $"connecting to {PeerText} timed out after {timeout.TotalSeconds:0.#}s: the TCP connection was accepted but the server did not answer on HTTP/2"
                : $"connecting to {PeerText} timed out after {timeout.TotalSeconds:0.#}s");
        }
        catch (Exception ex)
        {
            failure = new Status(StatusCode.Unavailable, DescribeTlsFailure(ex) ?? $"connecting to {PeerText} failed: {Describe(ex)}", ex);
        }

        lock (_lock)
        {
            if (_connectCts != cts)
            {
                cts.Dispose();
                return; // shut down meanwhile
            }

            _connectCts = null;
            var delay = _backoff.NextDelay();
            SubchannelLog.ConnectFailed(_logger, PeerText, failure.Detail, delay);
            SetStateLocked(ConnectivityState.TransientFailure, failure);
            _backoffTimer = _host.TimeProvider.CreateTimer(_ => OnBackoffElapsed(), null, delay, Timeout.InfiniteTimeSpan);
        }

        cts.Dispose();
        _host.Serializer.Drain();
    }

    private void OnBackoffElapsed()
    {
        lock (_lock)
        {
            _backoffTimer?.Dispose();
            _backoffTimer = null;
            if (_state.State != ConnectivityState.TransientFailure)
            {
                return;
            }

            // Keep the error: a policy in sticky TRANSIENT_FAILURE still reports it while it retries.
            SetStateLocked(ConnectivityState.Idle, _state.Status);
        }

        _host.Serializer.Drain();
    }

    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken connectionToken)
    {
        if (_state.State == ConnectivityState.Shutdown)
        {
            throw new SubchannelShutdownException(PeerText);
        }

        // SocketsHttpHandler does not cancel a connection attempt when its request gives up; shutdown does.
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(connectionToken, _shutdown.Token);
        var cancellationToken = linked.Token;
        var custom = _host.ConnectionOptions.ConnectFunction;
        if (custom is not null)
        {
            return await custom(Address, cancellationToken).ConfigureAwait(false);
        }

        var endPoint = Address.EndPoint;
        var socket = endPoint is UnixDomainSocketEndPoint
            ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
            : new Socket(endPoint is DnsEndPoint ? AddressFamily.InterNetworkV6 : endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            if (endPoint is DnsEndPoint)
            {
                socket.DualMode = true;
            }

            await socket.ConnectAsync(endPoint, cancellationToken).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private Stream WatchConnection(Stream stream)
    {
        Interlocked.Increment(ref _openConnections);
        return new ConnectionStream(stream, OnConnectionLost);
    }

    private void OnConnectionLost(string reason)
    {
        Interlocked.Decrement(ref _openConnections);
        lock (_lock)
        {
            if (_state.State != ConnectivityState.Ready)
            {
                return;
            }

            SubchannelLog.ConnectionLost(_logger, PeerText, reason);
            SetStateLocked(ConnectivityState.Idle, new Status(StatusCode.Unavailable, $"connection to {PeerText} lost: {reason}"));
        }

        _host.Serializer.Drain();
    }

    // Records the connection's state and publishes what the policy should see; the caller drains the serializer
    // after leaving the lock, so notifications keep their order.
    private void SetStateLocked(ConnectivityState state, Status status)
    {
        if (_state.State == ConnectivityState.Shutdown)
        {
            return;
        }

        _state = new SubchannelState(state, status);
        if (state == ConnectivityState.Ready && _healthCheck && _host.HealthCheckServiceName is { } serviceName)
        {
            StartHealthWatchLocked(serviceName);
        }
        else if (_healthCts is not null)
        {
            _healthCts.Cancel();
            _healthCts = null;
        }

        PublishLocked();
    }

    // READY reaches the policy only while the health check says SERVING (gRFC A17): before the first answer the
    // subchannel still looks CONNECTING, and NOT_SERVING looks like TRANSIENT_FAILURE with the reason.
    private void PublishLocked()
    {
        var next = _state.State == ConnectivityState.Ready && _healthCts is not null
            ? _healthKnown ? _health : new SubchannelState(ConnectivityState.Connecting, Status.DefaultSuccess)
            : _state;
        if (next.State == _reported.State && next.Status.Detail == _reported.Status.Detail)
        {
            return;
        }

        _reported = next;
        _host.Serializer.Enqueue(() => _listener(next));
    }

    private void StartHealthWatchLocked(string serviceName)
    {
        _healthCts?.Cancel();
        var cts = new CancellationTokenSource();
        _healthCts = cts;
        _healthKnown = false;
        _healthChannel ??= Grpc.Net.Client.GrpcChannel.ForAddress(_host.BaseUri, new Grpc.Net.Client.GrpcChannelOptions
        {
            HttpHandler = new SubchannelForwarder(this),
            DisposeHttpClient = true,
        });
        var invoker = _healthChannel.CreateCallInvoker();
        _ = Health.HealthWatcher.RunAsync(invoker, serviceName, PeerText, (healthy, reason) => OnHealth(cts, healthy, reason), _logger, cts.Token);
    }

    private void OnHealth(CancellationTokenSource watch, bool healthy, Status reason)
    {
        lock (_lock)
        {
            if (_healthCts != watch)
            {
                return; // a watch of an earlier connection
            }

            _healthKnown = true;
            _health = healthy ? new SubchannelState(ConnectivityState.Ready, Status.DefaultSuccess) : new SubchannelState(ConnectivityState.TransientFailure, reason);
            PublishLocked();
        }

        _host.Serializer.Drain();
    }

    /// <summary>Sends health-check calls over this subchannel's own connection.</summary>
    private sealed class SubchannelForwarder(HttpSubchannel owner) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
            => owner.SendAsync(request, cancellationToken);
    }

    private void DisposeHandler()
    {
        if (Interlocked.Exchange(ref _handlerDisposed, 1) != 0)
        {
            return;
        }

        _healthChannel?.Dispose();
        _invoker.Dispose();
        _handler.Dispose();
    }

    private static string Describe(Exception ex)
    {
        // The innermost socket error says what happened ("Connection refused"); HttpRequestException's own text
        // names the request URI's host, which is the logical service name, not this address.
        for (var e = ex; e is not null; e = e.InnerException)
        {
            if (e is SocketException se)
            {
                return $"{se.Message} ({se.SocketErrorCode})";
            }
        }

        var inner = ex;
        while (inner.InnerException is not null)
        {
            inner = inner.InnerException;
        }

        return inner.Message;
    }
}
