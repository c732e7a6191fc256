using System.Diagnostics.Metrics;
using Proxyless.Diagnostics;

namespace Proxyless.Benchmarks;

/// <summary>
/// A listener that enables every instrument of both Proxyless meters and sums what they record, per thread (as an
/// exporter's aggregation would at the least, without making the callers contend on one value): what Proxyless itself
/// costs once someone listens.
/// </summary>
internal static class MetricsListener
{
    [ThreadStatic]
    private static double _sink;

    public static IDisposable Start()
    {
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name is ProxylessMeters.Stable or ProxylessMeters.Experimental)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Add(value));
        listener.SetMeasurementEventCallback<double>((_, value, _, _) => Add(value));
        listener.Start();
        return listener;
    }

    private static void Add(double value) => _sink += value;
}
