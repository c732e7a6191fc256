namespace Proxyless.Configuration;

/// <summary>
/// The sequence of delays of gRPC connection backoff. Not thread-safe: one owner calls <see cref="NextDelay"/>
/// after each failure and <see cref="Reset"/> after a success.
/// </summary>
internal sealed class ExponentialBackoff
{
    private readonly BackoffOptions _options;
    private readonly Func<double> _random;
    private double _currentSeconds;

    /// <summary>Creates a backoff sequence.</summary>
    /// <param name="options">The parameters.</param>
    /// <param name="random">A source of uniform numbers in [0, 1); <see cref="Random.Shared"/> when null.</param>
    public ExponentialBackoff(BackoffOptions options, Func<double>? random = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _random = random ?? Random.Shared.NextDouble;
        _currentSeconds = options.InitialBackoff.TotalSeconds;
    }

    /// <summary>The un-jittered delay the next call to <see cref="NextDelay"/> is based on.</summary>
    public TimeSpan CurrentBase => TimeSpan.FromSeconds(_currentSeconds);

    /// <summary>How long a connection attempt started now may take: max(current backoff, minimum connect timeout).</summary>
    public TimeSpan ConnectTimeout => CurrentBase > _options.MinConnectTimeout ? CurrentBase : _options.MinConnectTimeout;

    /// <summary>Returns the next delay (the current one with jitter) and grows the current one by the multiplier, up to the cap.</summary>
    public TimeSpan NextDelay()
    {
        var jittered = _currentSeconds * (1 + (_options.Jitter * ((2 * _random()) - 1)));
        _currentSeconds = Math.Min(_currentSeconds * _options.Multiplier, _options.MaxBackoff.TotalSeconds);
        return TimeSpan.FromSeconds(jittered);
    }

    /// <summary>Starts the sequence again (after a successful connection).</summary>
    public void Reset() => _currentSeconds = _options.InitialBackoff.TotalSeconds;
}
