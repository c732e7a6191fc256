namespace Proxyless.Configuration;

/// <summary>
/// gRPC connection backoff parameters (https://github.com/grpc/grpc/blob/master/doc/connection-backoff.md):
/// 1 s initial, x1.6, ±20 % jitter, 120 s cap, 20 s minimum connect timeout.
/// </summary>
public sealed record BackoffOptions
{
    /// <summary>Delay before the first retry.</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Factor applied to the delay after each failure.</summary>
    public double Multiplier { get; init; } = 1.6;

    /// <summary>Random spread of each delay, as a fraction (0.2 = ±20 %).</summary>
    public double Jitter { get; init; } = 0.2;

    /// <summary>Largest delay.</summary>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>The least time a connection attempt is given before it counts as failed.</summary>
    public TimeSpan MinConnectTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>Throws when a value is out of range, naming it.</summary>
    public void Validate()
    {
        if (InitialBackoff <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(InitialBackoff), InitialBackoff, "must be positive");
        }

        if (Multiplier < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(Multiplier), Multiplier, "must be at least 1");
        }

        if (Jitter is < 0 or >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(Jitter), Jitter, "must be in [0, 1)");
        }

        if (MaxBackoff < InitialBackoff)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxBackoff), MaxBackoff, "must be at least InitialBackoff");
        }

        if (MinConnectTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(MinConnectTimeout), MinConnectTimeout, "must be positive");
        }
    }
}
