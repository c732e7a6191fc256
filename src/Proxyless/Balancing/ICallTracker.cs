namespace Proxyless.Balancing;

/// <summary>
/// Sees one call attempt's start and its true end (for streams, the end of the stream, not the first response).
/// Returned with a <see cref="PickResult"/>; <see cref="OnCallStarted"/> and <see cref="OnCallEnded"/> are each called
/// exactly once per attempt that was sent, from any thread. Least-request counts, outlier detection and ORCA use it.
/// </summary>
public interface ICallTracker
{
    /// <summary>The attempt is being sent on the picked subchannel.</summary>
    void OnCallStarted();

    /// <summary>The attempt's response headers arrived (not called for an attempt that failed before any response).</summary>
    /// <param name="elapsed">The time from the attempt's start to its response headers.</param>
    void OnResponseHeaders(TimeSpan elapsed)
    {
    }

    /// <summary>The attempt ended.</summary>
    /// <param name="completion">Its status, trailers and duration.</param>
    void OnCallEnded(in CallCompletion completion);
}
