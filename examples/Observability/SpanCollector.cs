using System.Diagnostics;
using OpenTelemetry;

namespace Observability;

/// <summary>Keeps the name and tags of every span that ends, for the example's summary.</summary>
internal sealed class SpanCollector : BaseProcessor<Activity>
{
    private readonly List<(string Name, IReadOnlyDictionary<string, object?> Tags)> _spans = [];

    public IReadOnlyList<(string Name, IReadOnlyDictionary<string, object?> Tags)> Spans
    {
        get
        {
            lock (_spans)
            {
                return [.. _spans];
            }
        }
    }

    public override void OnEnd(Activity data)
    {
        lock (_spans)
        {
            _spans.Add((data.DisplayName, data.TagObjects.ToDictionary(t => t.Key, t => t.Value)));
        }
    }
}
