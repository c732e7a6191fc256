using Grpc.Core;
using Microsoft.Extensions.Logging;
using Proxyless.Configuration;

namespace Proxyless.Resolution;

/// <summary>
/// Base for resolvers that look endpoints up on demand (DNS, a file, an HTTP registry): it resolves at start,
/// again when <see cref="Resolver.RefreshResolution"/> is called but no more often than <see cref="MinRefreshInterval"/>,
/// every <see cref="RefreshInterval"/> after a successful resolution when one is set, and retries with backoff after a
/// failure. Subclasses implement <see cref="ResolveAsync"/>.
/// </summary>
public abstract class PollingResolver : Resolver
{
    private readonly object _lock = new();
    private readonly CancellationTokenSource _disposed = new();
    private readonly TimeProvider _time;
    private readonly ExponentialBackoff _backoff;
    private readonly ILogger _logger;
    private Action<ResolverResult>? _listener;
    private bool _resolving;
    private bool _refreshPending;
    private long _lastStart = long.MinValue;
    private ITimer? _timer;
    private ITimer? _periodic;

    /// <summary>Creates the resolver.</summary>
    /// <param name="options">Clock and logging.</param>
    /// <param name="minRefreshInterval">The least time between two resolutions (gRPC uses 30 s for DNS).</param>
    /// <param name="retryBackoff">Backoff after failures; gRPC's connection backoff when null.</param>
    /// <param name="refreshInterval">
    /// Resolve again this long after each successful resolution, whether or not a policy asks (so new addresses of a
    /// name are noticed); <see cref="Timeout.InfiniteTimeSpan"/> (the default) resolves only when asked.
    /// </param>
    protected PollingResolver(ResolverOptions options, TimeSpan minRefreshInterval, BackoffOptions? retryBackoff = null, TimeSpan? refreshInterval = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        RefreshInterval = refreshInterval ?? Timeout.InfiniteTimeSpan;
        if (RefreshInterval != Timeout.InfiniteTimeSpan && (RefreshInterval <= TimeSpan.Zero || RefreshInterval > ConfigObject.LongestTimer))
        {
            throw new ArgumentOutOfRangeException(nameof(refreshInterval), refreshInterval, $"RefreshInterval must be positive and at most {ConfigObject.LongestTimer.TotalDays:0.#} days, or Timeout.InfiniteTimeSpan.");
        }

        _time = options.TimeProvider;
        _logger = options.LoggerFactory.CreateLogger(GetType());
        _backoff = new ExponentialBackoff(retryBackoff ?? new BackoffOptions());
        MinRefreshInterval = minRefreshInterval;
    }

    /// <summary>The least time between two resolutions.</summary>
    public TimeSpan MinRefreshInterval { get; }

    /// <summary>How long after a successful resolution the next one starts by itself; infinite when only on request.</summary>
    public TimeSpan RefreshInterval { get; }

    /// <summary>Looks the endpoints up once.</summary>
    /// <param name="cancellationToken">Cancelled when the resolver is disposed.</param>
    /// <returns>The result to report (endpoints or an error).</returns>
    protected abstract Task<ResolverResult> ResolveAsync(CancellationToken cancellationToken);

    /// <inheritdoc />
    public sealed override void Start(Action<ResolverResult> listener)
    {
        ArgumentNullException.ThrowIfNull(listener);
        lock (_lock)
        {
            if (_listener is not null)
            {
                throw new InvalidOperationException("The resolver was already started.");
            }

            _listener = listener;
        }

        RefreshResolution();
    }

    /// <inheritdoc />
    public sealed override void RefreshResolution()
    {
        lock (_lock)
        {
            if (_listener is null || _disposed.IsCancellationRequested)
            {
                return;
            }

            if (_resolving || _timer is not null)
            {
                _refreshPending = _resolving;
                return;
            }

            var wait = _lastStart == long.MinValue ? TimeSpan.Zero : MinRefreshInterval - _time.GetElapsedTime(_lastStart);
            if (wait > TimeSpan.Zero)
            {
                ResolverLog.RefreshDeferred(_logger, wait);
                _timer = _time.CreateTimer(_ => OnTimer(), null, wait, Timeout.InfiniteTimeSpan);
                return;
            }

            BeginResolve();
        }
    }

    private void OnTimer()
    {
        lock (_lock)
        {
            _timer?.Dispose();
            _timer = null;
            if (!_disposed.IsCancellationRequested && !_resolving)
            {
                BeginResolve();
            }
        }
    }

    // Called under _lock.
    private void BeginResolve()
    {
        _periodic?.Dispose();
        _periodic = null;
        _resolving = true;
        _refreshPending = false;
        _lastStart = _time.GetTimestamp();
        _ = RunAsync();
    }

    private async Task RunAsync()
    {
        ResolverResult result;
        try
        {
            result = await ResolveAsync(_disposed.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_disposed.IsCancellationRequested)
        {
            return;
        }
        catch (Exception ex)
        {
            result = ResolverResult.ForFailure(new Status(StatusCode.Unavailable, $"Resolver {GetType().Name} failed: {ex.Message}", ex));
        }

        Action<ResolverResult>? listener;
        lock (_lock)
        {
            _resolving = false;
            listener = _disposed.IsCancellationRequested ? null : _listener;
            if (listener is null)
            {
                return;
            }

            if (result.Endpoints is null)
            {
                var delay = _backoff.NextDelay();
                ResolverLog.ResolveFailed(_logger, result.Error.Detail, delay);
                _timer = _time.CreateTimer(_ => OnTimer(), null, delay, Timeout.InfiniteTimeSpan);
            }
            else
            {
                _backoff.Reset();
                if (RefreshInterval != Timeout.InfiniteTimeSpan)
                {
                    _periodic = _time.CreateTimer(_ => RefreshResolution(), null, RefreshInterval, Timeout.InfiniteTimeSpan);
                }
            }
        }

        listener(result);
        bool again;
        lock (_lock)
        {
            again = _refreshPending;
        }

        if (again)
        {
            RefreshResolution();
        }
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            lock (_lock)
            {
                _disposed.Cancel();
                _timer?.Dispose();
                _timer = null;
                _periodic?.Dispose();
                _periodic = null;
            }
        }

        base.Dispose(disposing);
    }
}
