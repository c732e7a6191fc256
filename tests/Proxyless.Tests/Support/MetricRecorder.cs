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

    /// <summary>The measurements of <paramref name="instrument"/> whose <c>grpc.target</c> is <paramref name="target"/>.</summary>
    public IReadOnlyList<(double Value, Dictionary<string, object?> Tags)> Of(string instrument, string target)
        => [.. _measurements.Where(m => m.Name == instrument && Equals(m.Tags.GetValueOrDefault("grpc.target"), target)).Select(m => (m.Value, m.Tags))];

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
