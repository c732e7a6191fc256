using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Proxyless.Tests.Support;

/// <summary>Records every measurement of one meter's instruments (long and double), with its tags.</summary>
internal sealed class MetricRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<(string Name, double Value, Dictionary<string, object?> Tags)> _measurements = new();

    public MetricRecorder(string meterName)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == meterName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.Start();
    }

    /// <summary>
    /// The measurements of <paramref name="instrument"/> whose <c>grpc.target</c> is <paramref name="target"/>, given as
    /// the channel was created (<c>ipv4:127.0.0.1:5000</c>) and compared in A66's canonical form (<c>ipv4:///127.0.0.1:5000</c>).
    /// </summary>
    public IReadOnlyList<(double Value, Dictionary<string, object?> Tags)> Of(string instrument, string target)
    {
        var canonical = Canonical(target);
        return [.. _measurements.Where(m => m.Name == instrument && Equals(m.Tags.GetValueOrDefault("grpc.target"), canonical)).Select(m => (m.Value, m.Tags))];
    }

    /// <summary>Sums <paramref name="instrument"/>'s values for <paramref name="target"/>.</summary>
    public double Sum(string instrument, string target) => Of(instrument, target).Sum(m => m.Value);

    /// <summary>A66's canonical target: <c>scheme://authority/endpoint</c>.</summary>
    public static string Canonical(string target)
        => target.Contains("://", StringComparison.Ordinal) ? target : $"{target[..target.IndexOf(':', StringComparison.Ordinal)]}:///{target[(target.IndexOf(':', StringComparison.Ordinal) + 1)..]}";

    public void Dispose() => _listener.Dispose();

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var dictionary = new Dictionary<string, object?>();
        foreach (var tag in tags)
        {
            dictionary[tag.Key] = tag.Value;
        }

        _measurements.Enqueue((instrument.Name, value, dictionary));
    }
}
