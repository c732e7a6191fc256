namespace Proxyless.Balancing.Policies;

/// <summary>Tells two call trackers of the same call (a policy's own and the one a child already attached).</summary>
internal sealed class TrackerChain(ICallTracker first, ICallTracker second) : ICallTracker
{
    public static PickResult Attach(in PickResult result, ICallTracker tracker)
        => result.WithCallTracker(result.CallTracker is null ? tracker : new TrackerChain(tracker, result.CallTracker));

    public void OnCallStarted()
    {
        first.OnCallStarted();
        second.OnCallStarted();
    }

    public void OnResponseHeaders(TimeSpan elapsed)
    {
        first.OnResponseHeaders(elapsed);
        second.OnResponseHeaders(elapsed);
    }

    public void OnCallEnded(in CallCompletion completion)
    {
        first.OnCallEnded(completion);
        second.OnCallEnded(completion);
    }
}
