using System.Diagnostics.Tracing;

namespace Proxyless.Benchmarks;

/// <summary>
/// Samples allocations by type through the runtime's AllocationTick events (one per ~100 KB allocated), to see where
/// a difference in bytes per call comes from.
/// </summary>
internal sealed class AllocationSampler : EventListener
{
    private readonly Dictionary<string, long> _bytes = [];
    private bool _on;

    public void Start() => _on = true;

    public IReadOnlyList<(string Type, long Bytes)> Stop()
    {
        _on = false;
        lock (_bytes)
        {
            var result = _bytes.OrderByDescending(kv => kv.Value).Select(kv => (kv.Key, kv.Value)).ToList();
            _bytes.Clear();
            return result;
        }
    }

    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(source, EventLevel.Verbose, (EventKeywords)0x1); // GC keyword: AllocationTick
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        if (!_on || e.EventName != "GCAllocationTick_V4" || e.Payload is null)
        {
            return;
        }

        var type = e.Payload[e.PayloadNames!.IndexOf("TypeName")] as string ?? "?";
        var amount = Convert.ToInt64(e.Payload[e.PayloadNames.IndexOf("AllocationAmount64")], System.Globalization.CultureInfo.InvariantCulture);
        lock (_bytes)
        {
            _bytes[type] = _bytes.GetValueOrDefault(type) + amount;
        }
    }
}
