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
/// READY while at least one of its connections has received the server's SETTINGS frame and no GOAWAY (as in
/// grpc-go: no call is made to find out); back to IDLE as soon as none has; gRPC connection backoff between failed
/// attempts (TRANSIENT_FAILURE, then IDLE when the backoff ends). It dials only while CONNECTING or READY, so a
/// request SocketsHttpHandler wants to resend after its connection died is refused at once and picked again
/// elsewhere instead of redialling a backend that just went away.
/// </summary>
internal sealed class HttpSubchannel : Subchannel, IConnectionOwner
{
    private static readonly TimeSpan KeepAliveBackstop = TimeSpan.FromSeconds(5);

    private readonly ISubchannelHost _host;
    private readonly Action<SubchannelState> _listener;
    private readonly ILogger _logger;
    private readonly ConnectionOptions _options;
    private Handlers? _handlers; // created for the first connection (see Handlers)
    private readonly ExponentialBackoff _backoff;
    private readonly TlsConnectionValidator? _tls;
    private readonly string? _authorityOverride;
    private readonly object _lock = new();
    private readonly CancellationTokenSource _shutdown = new();
    private readonly bool _healthCheck;
    private readonly bool _dialFirst; // the subchannel dials (the default connect step): the handler waits for a socket
    private SubchannelState _state = new(ConnectivityState.Idle, Status.DefaultSuccess); // the connection's state
    private SubchannelState _reported = new(ConnectivityState.Idle, Status.DefaultSuccess); // what the policy sees
    private Health.SubchannelHealth? _health; // made when the first health watch starts (guarded by _lock)
    private readonly List<ConnectionStream> _connections = [];
    private ConnectAttempt? _attempt;
    private IDisposable? _backoffTimer;
    private int _activeCalls;
    private int _handlerDisposed;
    private volatile string _lastConnectionLoss = "the connection was lost";
    private readonly string _target;
    private readonly HashSet<ConnectionStream> _counted = []; // connections counted in grpc.subchannel.open_connections

    public HttpSubchannel(ISubchannelHost host, BackendAddress address, bool healthCheck, Action<SubchannelState> listener)
    {
        _host = host;
        _healthCheck = healthCheck;
        Address = address;
        PeerText = address.ToString();
        _listener = listener;
        _logger = host.LoggerFactory.CreateLogger<HttpSubchannel>();
        _target = host.Target.Canonical;
        var options = host.ConnectionOptions;
        _backoff = new ExponentialBackoff(options.Backoff);
        _options = options;
        if (host.Tls is { } tls)
        {
            var serverName = address.Attributes.TryGetValue(AddressAttributes.ServerName, out var name) ? name : tls.ServerNameOverride ?? host.DefaultServerName;
            _tls = new TlsConnectionValidator(tls, address, serverName, host.TimeProvider);

            // An address with its own TLS name is reached under that name: it becomes SNI, the name verified, and the
            // :authority of calls on this subchannel (as grpc-go does with an address's ServerName).
            _authorityOverride = serverName == host.DefaultServerName ? null : serverName;
        }

        // A user's ConfigureHandler may replace the connect step, which decides how connecting works: then the handler
        // is made now to see. Otherwise it waits for the first dialed socket, so an address that never connects (one of
        // thousands refused) never costs one.
        _dialFirst = options.ConfigureHandler is null || GetHandlers().DialFirst;
    }

    public override BackendAddress Address { get; }

    /// <summary>The channel's target in gRFC A66's canonical form (the <c>grpc.target</c> metric label).</summary>
    public string Target => _target;

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
    public int OpenConnections
    {
        get
        {
            lock (_lock)
            {
                return _connections.Count;
            }
        }
    }

    /// <summary>
    /// Starts connecting if IDLE. Only the state change happens here, on the caller's thread (the serializer): the
    /// attempt itself (its timers and the connection trigger) starts on the thread pool, so a policy that asks
    /// thousands of subchannels to connect at once never waits for their connects.
    /// </summary>
    public override void RequestConnection()
    {
        using (ChangeState())
        {
            if (_state.State != ConnectivityState.Idle)
            {
                return;
            }

            if (HasUsableConnectionLocked())
            {
                SetStateLocked(ConnectivityState.Ready, Status.DefaultSuccess);
            }
            else
            {
                _attempt = new ConnectAttempt(_backoff.ConnectTimeout);
                SetStateLocked(ConnectivityState.Connecting, Status.DefaultSuccess);
                ThreadPool.UnsafeQueueUserWorkItem(static s => s.StartAttempt(), this, preferLocal: false);
            }
        }
    }

    private void StartAttempt()
    {
        ConnectAttempt attempt;
        bool trigger;
        lock (_lock)
        {
            if (_attempt is not { Timer: null } pending || _state.State != ConnectivityState.Connecting)
            {
                return; // connected, failed or shut down meanwhile
            }

            attempt = pending;
            attempt.Timer = _host.TimeProvider.CreateTimer(_ => OnAttemptTimedOut(attempt), null, attempt.Timeout, Timeout.InfiniteTimeSpan);

            // A connection already being set up (SocketsHttpHandler resending a refused call) decides this attempt;
            // a trigger now could be sent on it once it is up, so it is only sent when there is none.
            trigger = _connections.TrueForAll(c => c.IsEstablished);
        }

        if (trigger)
        {
            SubchannelLog.Connecting(_logger, PeerText);
            _ = _dialFirst ? DialThenTriggerAsync(attempt) : TriggerConnectionAsync(attempt);
        }
    }

    // Dials the address first and hands SocketsHttpHandler only a connected stream (ConnectAsync takes it), so a
    // refused or unreachable address costs one socket and one exception, not a request through SocketsHttpHandler and
    // its exception chain: with thousands of endpoints in a connect storm that is most of what the process allocates.
    private async Task DialThenTriggerAsync(ConnectAttempt attempt)
    {
        Stream stream;
        try
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(_shutdown.Token, attempt.Abort.Token);
            stream = await AddressDialer.DialAsync(Address, _host.ConnectionOptions, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (attempt.Abort.IsCancellationRequested || _shutdown.IsCancellationRequested)
        {
            return; // the attempt timed out or the subchannel shut down: whoever ended it reported it
        }
        catch (Exception ex)
        {
            // The status keeps the words, not the exception: it lives as long as the subchannel stays in
            // TRANSIENT_FAILURE (thousands of refused addresses keep thousands of them), and a status reaches a call
            // as grpc-status and grpc-message only.
            FailAttempt(attempt, new Status(StatusCode.Unavailable, $"connecting to {PeerText} failed: {AddressDialer.Describe(ex)}"));
            return;
        }

        lock (_lock)
        {
            if (_attempt == attempt)
            {
                attempt.Dialed = stream;
                stream = null!;
            }
        }

        if (stream is not null)
        {
            await stream.DisposeAsync().ConfigureAwait(false); // the attempt ended while dialing
            return;
        }

        await TriggerConnectionAsync(attempt).ConfigureAwait(false);
        Stream? unused;
        lock (_lock)
        {
            unused = attempt.Dialed; // the trigger was answered on another connection, or failed before connecting
            attempt.Dialed = null;
        }

        if (unused is not null)
        {
            await unused.DisposeAsync().ConfigureAwait(false);
        }
    }

    public override void Shutdown()
    {
        bool disposeNow;
        using (ChangeState())
        {
            if (_state.State == ConnectivityState.Shutdown)
            {
                return;
            }

            if (_state.State == ConnectivityState.Ready)
            {
                SubchannelMetrics.Disconnected(_target, SubchannelMetrics.Shutdown);
            }

            EndAttemptLocked();
            _health?.Stop();
            _shutdown.Cancel(); // abandons connection attempts still in progress
            _backoffTimer?.Dispose();
            _backoffTimer = null;
            SetStateLocked(ConnectivityState.Shutdown, Status.DefaultSuccess);
            disposeNow = _activeCalls == 0;
        }

        if (disposeNow)
        {
            DisposeHandler();
        }
    }

    /// <summary>
    /// Reserves a call slot; false when the subchannel has no usable connection (it was picked by a picker that had not
    /// yet heard that it went IDLE, or it was shut down after the pick).
    /// </summary>
    public bool TryAcquireCall()
    {
        Interlocked.Increment(ref _activeCalls);
        if (Volatile.Read(ref _handlerDisposed) != 0 || _state.State != ConnectivityState.Ready)
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

    /// <summary>Sends a request on this subchannel's connections, under this address's own authority when it has one.</summary>
    /// <remarks>The request's URI and Host header are set by the subchannel's <see cref="BackendUriHandler"/>.</remarks>
    public Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        => GetHandlers().Invoker.SendAsync(request, cancellationToken);

    /// <summary>The TLS server name this subchannel verifies, or null without TLS.</summary>
    public string? ServerName => _tls?.ServerName;

    /// <summary>
    /// For a call that was in flight when its connection died (its stream reset with
    /// <see cref="ConnectionStream.ConnectionLostErrorCode"/>): "connection to ADDRESS lost: why"; otherwise null.
    /// </summary>
    public string? DescribeLostConnection(Exception exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            if (e is HttpProtocolException { ErrorCode: ConnectionStream.ConnectionLostErrorCode })
            {
                return $"connection to {PeerText} lost: {_lastConnectionLoss}";
            }
        }

        return null;
    }

    /// <summary>
    /// What to tell the caller of a call whose send failed on this subchannel: the message names this backend and the
    /// real cause (HttpRequestException's own text names the logical host of the request URI); transport failure when
    /// the call failed because of the connection (a rejected certificate, a connection that died under the call, or
    /// GOAWAY/close with NO_ERROR before the response began), which is UNAVAILABLE, not the INTERNAL grpc-dotnet maps
    /// those HTTP/2 errors to.
    /// </summary>
    public (string Message, bool TransportFailure) DescribeFailure(HttpRequestException ex)
    {
        if (_tls?.Describe(ex) is { } tlsFailure)
        {
            return (tlsFailure, true);
        }

        if (DescribeLostConnection(ex) is { } lost)
        {
            return (lost, true);
        }

        var message = ex.HttpRequestError == HttpRequestError.ConnectionError
            ? $"connecting to {PeerText} failed: {AddressDialer.Describe(ex)}"
            : $"{ex.Message} (backend {PeerText})";
        return (message, ClosedWithoutError(ex));
    }

    private static bool ClosedWithoutError(Exception ex)
    {
        for (var e = ex; e is not null; e = e.InnerException)
        {
            if (e is HttpProtocolException { ErrorCode: 0 })
            {
                return true;
            }
        }

        return false;
    }

    public override string ToString() => $"Subchannel({PeerText}, {State})";

    private async Task TriggerConnectionAsync(ConnectAttempt attempt)
    {
        try
        {
            await ConnectionTrigger.SendAsync(GetHandlers().Invoker, _host.BaseUri, attempt.Trigger.Token).ConfigureAwait(false);

            // Answered: it went out on a connection SocketsHttpHandler already had. That connection works, so use it.
            SubchannelLog.TriggerAnswered(_logger, PeerText);
            using (ChangeState())
            {
                if (_attempt == attempt && HasUsableConnectionLocked())
                {
                    SubchannelMetrics.AttemptSucceeded(_target);
                    EndAttemptLocked(abandonDials: false);
                    _backoff.Reset();
                    SetStateLocked(ConnectivityState.Ready, Status.DefaultSuccess);
                }
            }
        }
        catch (OperationCanceledException) when (attempt.Trigger.IsCancellationRequested)
        {
            // The connection is being set up (its SETTINGS decide), or the attempt timed out or was abandoned.
        }
        catch (Exception ex)
        {
            FailAttempt(attempt, new Status(StatusCode.Unavailable, _tls?.Describe(ex) ?? $"connecting to {PeerText} failed: {AddressDialer.Describe(ex)}")); // words only, as above
        }
    }

    private void OnAttemptTimedOut(ConnectAttempt attempt)
    {
        List<ConnectionStream> pending;
        lock (_lock)
        {
            if (_attempt != attempt)
            {
                return;
            }

            pending = _connections.FindAll(c => !c.IsEstablished);
        }

        var seconds = attempt.Timeout.TotalSeconds.ToString("0.#", System.Globalization.CultureInfo.InvariantCulture);
        FailAttempt(attempt, new Status(StatusCode.Unavailable, pending.Count > 0
            ? $"connecting to {PeerText} timed out after {seconds}s: the TCP connection was accepted but the server sent no HTTP/2 SETTINGS"
            : $"connecting to {PeerText} timed out after {seconds}s"));
        foreach (var connection in pending)
        {
            connection.Abort("the connection attempt timed out");
        }
    }

    private void FailAttempt(ConnectAttempt attempt, Status failure)
    {
        using (ChangeState())
        {
            if (_attempt == attempt) // else connected, shut down, or already failed
            {
                FailAttemptLocked(failure);
            }
        }
    }

    private void FailAttemptLocked(Status failure)
    {
        SubchannelMetrics.AttemptFailed(_target);
        EndAttemptLocked();
        var delay = _backoff.NextDelay();
        SubchannelLog.ConnectFailed(_logger, PeerText, failure.Detail, delay);
        SetStateLocked(ConnectivityState.TransientFailure, failure);
        _backoffTimer = _host.TimeProvider.CreateTimer(_ => OnBackoffElapsed(), null, delay, Timeout.InfiniteTimeSpan);
    }

    // Ends the attempt. Dials still under way are abandoned only when the attempt failed or the subchannel shut down:
    // after success they may carry calls SocketsHttpHandler is resending.
    private void EndAttemptLocked(bool abandonDials = true)
    {
        if (_attempt is { } attempt)
        {
            _attempt = null;
            attempt.Timer?.Dispose();
            attempt.Dialed?.Dispose();
            attempt.Dialed = null;
            attempt.Trigger.Cancel();
            if (abandonDials)
            {
                attempt.Abort.Cancel();
            }
        }
    }

    private bool HasUsableConnectionLocked() => _connections.Exists(c => c.IsUsable);

    private void OnBackoffElapsed()
    {
        using (ChangeState())
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
    }

    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken connectionToken)
    {
        CancellationToken attemptAbort;
        lock (_lock)
        {
            if (_state.State is not (ConnectivityState.Connecting or ConnectivityState.Ready))
            {
                throw new SubchannelNotConnectedException(PeerText, _state.State);
            }

            attemptAbort = _attempt?.Abort.Token ?? CancellationToken.None;
            if (_attempt?.Dialed is { } dialed)
            {
                _attempt.Dialed = null;
                return dialed;
            }
        }

        // A dial ends with its attempt (timeout) or the subchannel (shutdown), whatever the request that caused it does.
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(connectionToken, _shutdown.Token, attemptAbort);
        try
        {
            return await AddressDialer.DialAsync(Address, _host.ConnectionOptions, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!connectionToken.IsCancellationRequested)
        {
            // Abandoned by this subchannel, not by SocketsHttpHandler: the request never left, so say so.
            throw new SubchannelNotConnectedException(PeerText, State.State);
        }
    }

    private Stream WatchConnection(Stream stream)
    {
        var options = _host.ConnectionOptions;
        var keepAliveTimeout = options.KeepAlivePingDelay == Timeout.InfiniteTimeSpan ? Timeout.InfiniteTimeSpan : options.KeepAlivePingTimeout;
        var connection = new ConnectionStream(stream, this, PeerText, _host.TimeProvider, keepAliveTimeout);
        ConnectAttempt? attempt;
        lock (_lock)
        {
            if (_state.State == ConnectivityState.Shutdown)
            {
                throw new SubchannelNotConnectedException(PeerText, ConnectivityState.Shutdown);
            }

            _connections.Add(connection);
            attempt = _attempt;
        }

        // The connection exists now, before SocketsHttpHandler can hand it to a request: withdraw the trigger.
        attempt?.Trigger.Cancel();
        return connection;
    }

    void IConnectionOwner.OnSettingsReceived(ConnectionStream connection)
    {
        using (ChangeState())
        {
            if (_state.State == ConnectivityState.Shutdown || !_connections.Contains(connection))
            {
                return;
            }

            if (_counted.Add(connection))
            {
                SubchannelMetrics.ConnectionOpened(_target, tls: _tls is not null);
            }

            if (_state.State == ConnectivityState.Ready)
            {
                return; // another connection of a READY subchannel (SocketsHttpHandler opens more under load)
            }

            SubchannelMetrics.AttemptSucceeded(_target);
            EndAttemptLocked(abandonDials: false);
            _backoffTimer?.Dispose();
            _backoffTimer = null;
            _backoff.Reset();
            SetStateLocked(ConnectivityState.Ready, Status.DefaultSuccess);
        }

        SubchannelLog.Connected(_logger, PeerText);
    }

    void IConnectionOwner.OnGoAway(ConnectionStream connection, ConnectionEnd end) => OnConnectionEnded(connection, end, closed: false);

    void IConnectionOwner.OnClosed(ConnectionStream connection, ConnectionEnd end) => OnConnectionEnded(connection, end, closed: true);

    private void OnConnectionEnded(ConnectionStream connection, ConnectionEnd end, bool closed)
    {
        var reason = end.Reason;
        using (ChangeState())
        {
            if (closed ? !_connections.Remove(connection) : !_connections.Contains(connection))
            {
                return;
            }

            if (closed)
            {
                _lastConnectionLoss = reason;
                if (_counted.Remove(connection))
                {
                    SubchannelMetrics.ConnectionClosed(_target, tls: _tls is not null);
                }
            }

            switch (_state.State)
            {
                case ConnectivityState.Ready when !HasUsableConnectionLocked():
                    SubchannelMetrics.Disconnected(_target, end.DisconnectError);
                    SubchannelLog.ConnectionLost(_logger, PeerText, reason);
                    SetStateLocked(ConnectivityState.Idle, new Status(StatusCode.Unavailable, $"connection to {PeerText} lost: {reason}"));
                    break;

                case ConnectivityState.Connecting when closed && !connection.IsEstablished && _connections.TrueForAll(c => c.IsEstablished):
                    FailAttemptLocked(new Status(StatusCode.Unavailable, $"connecting to {PeerText} failed: {reason} (no HTTP/2 SETTINGS from the server)"));
                    break;
            }
        }
    }

    /// <summary>
    /// Takes the lock for a state change; disposing releases it and then drains the serializer, so the notifications
    /// the change enqueued reach the policy in order and never under this lock. Use as <c>using (ChangeState()) { ... }</c>.
    /// </summary>
    private StateChange ChangeState()
    {
        Monitor.Enter(_lock);
        return new StateChange(this);
    }

    private readonly ref struct StateChange(HttpSubchannel owner)
    {
        public void Dispose()
        {
            Monitor.Exit(owner._lock);
            owner._host.Serializer.Drain();
        }
    }

    // Records the connection's state and publishes what the policy should see (under ChangeState, which drains the
    // serializer after leaving the lock, so notifications keep their order).
    private void SetStateLocked(ConnectivityState state, Status status)
    {
        if (_state.State == ConnectivityState.Shutdown)
        {
            return;
        }

        _state = new SubchannelState(state, status);
        if (state == ConnectivityState.Ready && _healthCheck && _host.HealthCheckServiceName is { } serviceName)
        {
            (_health ??= new Health.SubchannelHealth(_host.BaseUri, SendAsync, PeerText, _logger, OnHealth)).Start(serviceName);
        }
        else
        {
            _health?.Stop();
        }

        PublishLocked();
    }

    // READY reaches the policy only while the health check says SERVING (gRFC A17): before the first answer the
    // subchannel still looks CONNECTING, and NOT_SERVING looks like TRANSIENT_FAILURE with the reason.
    private void PublishLocked()
    {
        var next = _health?.View(_state) ?? _state;
        if (next.State == _reported.State && next.Status.Detail == _reported.Status.Detail)
        {
            return;
        }

        _reported = next;
        _host.Serializer.Enqueue(() => _listener(next));
    }

    private void OnHealth(object watch, bool healthy, Status reason)
    {
        using (ChangeState())
        {
            if (_health is not null && _health.TryRecord(watch, healthy, reason, out var changed))
            {
                if (changed)
                {
                    ProxylessMetrics.HealthChanged(_target, PeerText, healthy ? "SERVING" : "NOT_SERVING");
                }

                PublishLocked();
            }
        }
    }

    /// <summary>One connection attempt: the trigger request, the timeout, and the token that abandons its dial.</summary>
    private sealed class ConnectAttempt(TimeSpan timeout)
    {
        public TimeSpan Timeout { get; } = timeout;

        public CancellationTokenSource Trigger { get; } = new();

        public CancellationTokenSource Abort { get; } = new();

        public ITimer? Timer { get; set; }

        /// <summary>A connected stream dialed for this attempt, until SocketsHttpHandler's connect step takes it.</summary>
        public Stream? Dialed { get; set; }
    }

    private void DisposeHandler()
    {
        if (Interlocked.Exchange(ref _handlerDisposed, 1) != 0)
        {
            return;
        }

        _health?.Dispose();
        Volatile.Read(ref _handlers)?.Dispose();
    }

    /// <summary>The subchannel's SocketsHttpHandler and invoker, made on first use (thread-safe; one wins).</summary>
    private Handlers GetHandlers() => Volatile.Read(ref _handlers) ?? CreateHandlers();

    private Handlers CreateHandlers()
    {
        var handler = new SocketsHttpHandler
        {
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            EnableMultipleHttp2Connections = true,
            KeepAlivePingDelay = _options.KeepAlivePingDelay,

            // The connection stream enforces the keepalive timeout (a dead peer is then UNAVAILABLE, and calls never
            // written are resent); SocketsHttpHandler's own check, which reports PROTOCOL_ERROR, is only a backstop.
            KeepAlivePingTimeout = _options.KeepAlivePingTimeout + KeepAliveBackstop,
            KeepAlivePingPolicy = _options.KeepAliveWithoutCalls ? HttpKeepAlivePingPolicy.Always : HttpKeepAlivePingPolicy.WithActiveRequests,
            UseProxy = false,
            UseCookies = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            ConnectCallback = ConnectAsync,
            PlaintextStreamFilter = (context, _) => ValueTask.FromResult<Stream>(WatchConnection(context.PlaintextStream)),
        };
        _tls?.Apply(handler);
        _options.ConfigureHandler?.Invoke(Address, handler);
        var dialFirst = handler.ConnectCallback == (Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>>)ConnectAsync; // unless the user replaced the connect step
        var addressing = _options.RequestUriNamesBackend
            ? new BackendUriHandler(handler, BackendUriHandler.BaseFor(Address, _host.BaseUri), _authorityOverride ?? _host.BaseUri.Authority)
            : new BackendUriHandler(handler, backend: null, _authorityOverride);
        var made = new Handlers(handler, new HttpMessageInvoker(addressing, disposeHandler: false), dialFirst);
        var won = Interlocked.CompareExchange(ref _handlers, made, null);
        if (won is not null || Volatile.Read(ref _handlerDisposed) != 0)
        {
            made.Dispose(); // another thread's is in use, or the subchannel is gone
        }

        return won ?? made;
    }

    /// <summary>A subchannel's SocketsHttpHandler and the invoker over it.</summary>
    private sealed record Handlers(SocketsHttpHandler Handler, HttpMessageInvoker Invoker, bool DialFirst) : IDisposable
    {
        public void Dispose()
        {
            Invoker.Dispose();
            Handler.Dispose();
        }
    }
}
