using System.Globalization;
using Grpc.Core;

namespace Proxyless.Cli.Load;

/// <summary>
/// What a load run has seen so far, shared by its callers: latencies of successful calls (kept whole, so percentiles
/// are exact), failures by status, calls per backend, and the calls of the current second for the live rate.
/// </summary>
internal sealed class LoadStats
{
    private readonly object _lock = new();
    private readonly List<double> _latencies = [];
    private readonly SortedDictionary<string, long> _errors = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, long> _backends = new(StringComparer.Ordinal);
    private long _calls;
    private long _windowCalls;

    public void Succeeded(string backend, double milliseconds)
    {
        lock (_lock)
        {
            _calls++;
            _windowCalls++;
            _latencies.Add(milliseconds);
            _backends[backend] = _backends.GetValueOrDefault(backend) + 1;
        }
    }

    public void Failed(StatusCode status, string? backend)
    {
        lock (_lock)
        {
            _calls++;
            _windowCalls++;
            var name = StatusName(status);
            _errors[name] = _errors.GetValueOrDefault(name) + 1;
            if (backend is not null)
            {
                _backends[backend] = _backends.GetValueOrDefault(backend) + 1;
            }
        }
    }

    /// <summary>Calls that ended since the last call of this method.</summary>
    public long TakeWindow()
    {
        lock (_lock)
        {
            var calls = _windowCalls;
            _windowCalls = 0;
            return calls;
        }
    }

    /// <summary>A consistent copy: latency percentiles, errors and backends.</summary>
    public (long Calls, long Ok, LatencyReport Latency, SortedDictionary<string, long> Errors, SortedDictionary<string, long> Backends) Snapshot()
    {
        double[] sorted;
        SortedDictionary<string, long> errors, backends;
        long calls;
        lock (_lock)
        {
            sorted = [.. _latencies];
            errors = new SortedDictionary<string, long>(_errors, StringComparer.Ordinal);
            backends = new SortedDictionary<string, long>(_backends, StringComparer.Ordinal);
            calls = _calls;
        }

        Array.Sort(sorted);
        var latency = sorted.Length == 0
            ? new LatencyReport(0, 0, 0, 0, 0, 0)
            : new LatencyReport(Round(sorted[0]), Round(sorted.Average()), Percentile(sorted, 0.50), Percentile(sorted, 0.90), Percentile(sorted, 0.99), Round(sorted[^1]));
        return (calls, sorted.Length, latency, errors, backends);
    }

    /// <summary>gRPC's name for a status (<c>UNAVAILABLE</c>).</summary>
    public static string StatusName(StatusCode status) => status switch
    {
        StatusCode.OK => "OK",
        StatusCode.DeadlineExceeded => "DEADLINE_EXCEEDED",
        StatusCode.ResourceExhausted => "RESOURCE_EXHAUSTED",
        StatusCode.FailedPrecondition => "FAILED_PRECONDITION",
        StatusCode.OutOfRange => "OUT_OF_RANGE",
        StatusCode.PermissionDenied => "PERMISSION_DENIED",
        StatusCode.InvalidArgument => "INVALID_ARGUMENT",
        StatusCode.AlreadyExists => "ALREADY_EXISTS",
        StatusCode.NotFound => "NOT_FOUND",
        StatusCode.DataLoss => "DATA_LOSS",
        _ => status.ToString().ToUpperInvariant(),
    };

    // Nearest-rank percentile.
    private static double Percentile(double[] sorted, double p) => Round(sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)]);

    private static double Round(double value) => Math.Round(value, 3);

    public static string Format(double value) => value.ToString("0.0", CultureInfo.InvariantCulture);
}
