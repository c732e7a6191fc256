namespace Proxyless.Balancing.Policies.P2cEwma;

/// <summary>
/// One endpoint's latency estimate and calls in flight, fed by its calls: an EWMA of the time to response headers,
/// each sample weighted by the time since the previous one (reads never change it), failed calls counted as at least
/// the error penalty. Survives picker rebuilds (it belongs to the endpoint's child).
/// </summary>
internal sealed class LatencyEstimate(TimeProvider time) : ICallTracker
{
    private readonly object _lock = new();
    private double _estimateMs = double.NaN; // NaN until the first sample: the config's default RTT; written under _lock, read without
    private long _lastSample;
    private int _inFlight;
    private long _lastPicked = time.GetTimestamp();

    /// <summary>The config in use; replaced on updates.</summary>
    public P2cEwmaConfig Config { get; set; } = P2cEwmaConfig.Default;

    /// <summary>Calls in flight.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>The estimate in milliseconds.</summary>
    public double EstimateMs => Volatile.Read(ref _estimateMs) is var estimate && double.IsNaN(estimate) ? Config.DefaultRtt.TotalMilliseconds : estimate;

    /// <summary>When the endpoint was last picked.</summary>
    public long LastPicked => Volatile.Read(ref _lastPicked);

    /// <summary>cost = estimate^k x (calls in flight + 1).</summary>
    public double Cost
    {
        get
        {
            var estimate = Math.Max(EstimateMs, 1e-3);
            var k = Config.LatencyExponent;
            var weighted = k == 3 ? estimate * estimate * estimate : k == 1 ? estimate : Math.Pow(estimate, k); // the usual exponents without Math.Pow
            return weighted * (InFlight + 1);
        }
    }

    /// <summary>The endpoint was picked at <paramref name="now"/> (a timestamp of the policy's clock).</summary>
    public void OnPicked(long now) => Volatile.Write(ref _lastPicked, now);

    public void OnCallStarted() => Interlocked.Increment(ref _inFlight);

    public void OnResponseHeaders(TimeSpan elapsed) => Sample(elapsed.TotalMilliseconds);

    public void OnCallEnded(in CallCompletion completion)
    {
        Interlocked.Decrement(ref _inFlight);
        if (IsFailure(completion.Status.StatusCode))
        {
            Sample(Math.Max(completion.Duration.TotalMilliseconds, Config.ErrorPenalty.TotalMilliseconds));
        }
    }

    /// <summary>Adds a sample, weighted by the time since the previous one.</summary>
    public void Sample(double milliseconds)
    {
        var now = time.GetTimestamp();
        lock (_lock)
        {
            double next;
            if (double.IsNaN(_estimateMs) || (Config.Peak && milliseconds > _estimateMs))
            {
                next = milliseconds; // the first sample; or, for peak EWMA, a slower one: taken at once
            }
            else
            {
                var weight = Math.Exp(-time.GetElapsedTime(_lastSample, now).TotalMilliseconds / Config.DecayTime.TotalMilliseconds);
                next = (_estimateMs * weight) + (milliseconds * (1 - weight));
            }

            Volatile.Write(ref _estimateMs, next);

            _lastSample = now;
        }
    }

    // Statuses that say the backend is in trouble; an application's own errors (NOT_FOUND, ...) are answers.
    private static bool IsFailure(StatusCode status) => status is StatusCode.Unavailable or StatusCode.Unknown or StatusCode.Internal
        or StatusCode.DeadlineExceeded or StatusCode.ResourceExhausted or StatusCode.DataLoss;
}
