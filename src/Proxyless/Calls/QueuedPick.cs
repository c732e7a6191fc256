using System.Diagnostics;
using Proxyless.Diagnostics;

namespace Proxyless.Calls;

/// <summary>
/// A pick that found no READY backend and waits for a new picker: counted when it starts waiting, and when it stops
/// (placed, failed or cancelled) timed in the metrics and noted on the call's trace.
/// </summary>
internal sealed class QueuedPick
{
    private readonly string _target;
    private readonly long _since = Stopwatch.GetTimestamp();
    private bool _ended;

    public QueuedPick(string target)
    {
        _target = target;
        ProxylessMetrics.PickQueued(target);
    }

    /// <summary>The wait is over; only the first call counts.</summary>
    public void End(string outcome)
    {
        if (_ended)
        {
            return;
        }

        _ended = true;
        var waited = Stopwatch.GetElapsedTime(_since);
        ProxylessMetrics.PickDequeued(_target, waited, outcome);
        if (AttemptTracing.CallActivity is { } activity)
        {
            AttemptTracing.Queued(activity, waited);
        }
    }
}
