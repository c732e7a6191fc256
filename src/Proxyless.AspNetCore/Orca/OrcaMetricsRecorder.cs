using System.Collections.Concurrent;
using System.Diagnostics;
using Proxyless.Orca;

namespace Proxyless.AspNetCore.Orca;

/// <summary>
/// Server-wide load metrics that every response carries to clients in its <c>endpoint-load-metrics-bin</c> trailer
/// (ORCA), for weighted_round_robin. Set values yourself, or let it measure: QPS and EPS are counted from the calls
/// the server answers, and CPU utilization is sampled from this process when <see cref="MeasureCpu"/> is on.
/// Thread-safe.
/// </summary>
public sealed class OrcaMetricsRecorder
{
    private readonly ConcurrentDictionary<string, double> _named = new(StringComparer.Ordinal);
    private readonly object _lock = new();
    private double? _cpu;
    private double? _applicationUtilization;
    private double? _memory;
    private double? _qps;
    private double? _eps;
    private long _windowStart = Stopwatch.GetTimestamp();
    private int _callsThisWindow;
    private int _errorsThisWindow;
    private double _measuredQps;
    private double _measuredEps;
    private TimeSpan _lastCpuTime = Process.GetCurrentProcess().TotalProcessorTime;
    private long _lastCpuSample = Stopwatch.GetTimestamp();
    private double _measuredCpu;

    /// <summary>Sample this process's CPU use for <c>cpu_utilization</c> when no value was set.</summary>
    public bool MeasureCpu { get; set; }

    /// <summary>Sets the CPU utilization (a fraction, may exceed 1 on purpose); null to clear.</summary>
    /// <param name="value">The utilization.</param>
    public void SetCpuUtilization(double? value) => _cpu = Check(value);

    /// <summary>Sets the application utilization, which weighted_round_robin prefers over CPU; null to clear.</summary>
    /// <param name="value">The utilization.</param>
    public void SetApplicationUtilization(double? value) => _applicationUtilization = Check(value);

    /// <summary>Sets the memory utilization; null to clear.</summary>
    /// <param name="value">The utilization.</param>
    public void SetMemoryUtilization(double? value) => _memory = Check(value);

    /// <summary>Sets queries per second instead of the measured rate; null to measure again.</summary>
    /// <param name="value">The rate.</param>
    public void SetQps(double? value) => _qps = Check(value);

    /// <summary>Sets errors per second instead of the measured rate; null to measure again.</summary>
    /// <param name="value">The rate.</param>
    public void SetEps(double? value) => _eps = Check(value);

    /// <summary>Sets an application-specific named metric.</summary>
    /// <param name="name">The name.</param>
    /// <param name="value">The value.</param>
    public void SetNamedMetric(string name, double value) => _named[name] = value;

    /// <summary>Counts a finished call for the measured QPS and EPS.</summary>
    /// <param name="failed">Whether it ended with a non-OK status.</param>
    public void RecordCall(bool failed)
    {
        lock (_lock)
        {
            RollWindowLocked();
            _callsThisWindow++;
            if (failed)
            {
                _errorsThisWindow++;
            }
        }
    }

    /// <summary>The report to send now.</summary>
    internal OrcaLoadReport Snapshot()
    {
        double qps, eps, cpu;
        lock (_lock)
        {
            RollWindowLocked();
            qps = _qps ?? _measuredQps;
            eps = _eps ?? _measuredEps;
            cpu = _cpu ?? (MeasureCpu ? SampleCpuLocked() : 0);
        }

        var report = new OrcaLoadReport
        {
            CpuUtilization = cpu,
            ApplicationUtilization = _applicationUtilization ?? 0,
            MemUtilization = _memory ?? 0,
            RpsFractional = qps,
            Eps = eps,
        };
        foreach (var (name, value) in _named)
        {
            report.NamedMetrics[name] = value;
        }

        return report;
    }

    // One-second windows: the last complete window gives the rate.
    private void RollWindowLocked()
    {
        var elapsed = Stopwatch.GetElapsedTime(_windowStart);
        if (elapsed < TimeSpan.FromSeconds(1))
        {
            return;
        }

        _measuredQps = _callsThisWindow / elapsed.TotalSeconds;
        _measuredEps = _errorsThisWindow / elapsed.TotalSeconds;
        _callsThisWindow = 0;
        _errorsThisWindow = 0;
        _windowStart = Stopwatch.GetTimestamp();
    }

    private double SampleCpuLocked()
    {
        var elapsed = Stopwatch.GetElapsedTime(_lastCpuSample);
        if (elapsed >= TimeSpan.FromMilliseconds(500))
        {
            var cpuTime = Process.GetCurrentProcess().TotalProcessorTime;
            _measuredCpu = (cpuTime - _lastCpuTime).TotalSeconds / elapsed.TotalSeconds / Environment.ProcessorCount;
            _lastCpuTime = cpuTime;
            _lastCpuSample = Stopwatch.GetTimestamp();
        }

        return _measuredCpu;
    }

    private static double? Check(double? value)
        => value is < 0 or double.NaN ? throw new ArgumentOutOfRangeException(nameof(value), value, "must be a non-negative number") : value;
}
