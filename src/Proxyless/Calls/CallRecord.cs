using System.Diagnostics;
using Proxyless.Diagnostics;

namespace Proxyless.Calls;

/// <summary>
/// One call as the per-call metrics see it: how many HTTP requests grpc-dotnet made for it (its retries or hedges), how
/// many attempts the balancing handler added (transparent retries), and how long no attempt was running between
/// attempts (A96's retry delay). Exists only while a per-call instrument is listened to. Two kinds:
/// <list type="bullet">
/// <item>for a retried or hedged method, from the moment the application starts the call to the moment its status is
/// delivered (<see cref="ForCall"/>, by the call invoker). It travels to the handler in an <see cref="AsyncLocal{T}"/>
/// set while grpc-dotnet starts the call, whose retry and hedging loops run in that execution context;</item>
/// <item>for any other method, whose call is one HTTP request, from the moment the request reaches the balancing
/// handler to the end of its last attempt (<see cref="ForRequest"/>, by the handler): no wrapper, no execution context
/// change, one object per call.</item>
/// </list>
/// </summary>
internal sealed class CallRecord
{
    private static readonly AsyncLocal<CallRecord?> CurrentCall = new();

    private readonly string _target;
    private readonly bool _hedged;
    private readonly long _start = Stopwatch.GetTimestamp();
    private int _requests;
    private int _transparentRetries;
    private int _activeAttempts;
    private long _idleSince; // when the last running attempt ended; 0 before the first attempt
    private long _delayTicks;
    private readonly bool _endsWithRequest;
    private int _ended;

    private CallRecord(string method, string target, bool hedged, bool endsWithRequest)
    {
        Method = method;
        _target = target;
        _hedged = hedged;
        _endsWithRequest = endsWithRequest;
        _requests = endsWithRequest ? 1 : 0;
    }

    /// <summary>The call being started on this execution context, if its metrics are followed.</summary>
    public static CallRecord? Current => CurrentCall.Value;

    /// <summary>The call's <c>grpc.method</c> label.</summary>
    public string Method { get; }

    /// <summary>The call object grpc-dotnet returned, which the application's wrapper forwards to.</summary>
    public object? Call { get; set; }

    /// <summary>Follows a call of a retried or hedged method from the application's start to its status.</summary>
    public static CallRecord ForCall(string fullMethodName, string target, bool hedged) => new(MetricMethodNames.FromPath(fullMethodName), target, hedged, endsWithRequest: false);

    /// <summary>Follows a call that is exactly one HTTP request, from the handler; it ends with the request.</summary>
    public static CallRecord ForRequest(string method, string target) => new(method, target, hedged: false, endsWithRequest: true);

    /// <summary>The request of a call that <see cref="ForRequest"/> follows ended with <paramref name="status"/>.</summary>
    public void OnRequestEnded(StatusCode status)
    {
        if (_endsWithRequest)
        {
            End(status);
        }
    }

    /// <summary>Makes this the current call until the returned scope ends (around grpc-dotnet's start of the call).</summary>
    public Scope Enter()
    {
        var previous = CurrentCall.Value;
        CurrentCall.Value = this;
        return new Scope(previous);
    }

    /// <summary>grpc-dotnet sent one more HTTP request for the call (its first attempt, a retry or a hedge).</summary>
    public void OnRequest() => Interlocked.Increment(ref _requests);

    // Attempts start and end without a lock: hedges overlap, but the counts only need to be exact once the call ends,
    // and a delay is only added when the attempt that starts finds none running.

    /// <summary>An attempt started on a subchannel; <paramref name="transparent"/> when the handler retried on its own.</summary>
    public void OnAttemptStarted(bool transparent)
    {
        if (transparent)
        {
            Interlocked.Increment(ref _transparentRetries);
        }

        if (Interlocked.Increment(ref _activeAttempts) == 1 && Volatile.Read(ref _idleSince) is var idle and not 0)
        {
            Interlocked.Add(ref _delayTicks, Stopwatch.GetTimestamp() - idle);
        }
    }

    /// <summary>An attempt ended.</summary>
    public void OnAttemptEnded()
    {
        if (Interlocked.Decrement(ref _activeAttempts) == 0)
        {
            Volatile.Write(ref _idleSince, Stopwatch.GetTimestamp());
        }
    }

    /// <summary>The call's status reached the application: records the call once.</summary>
    public void End(StatusCode status)
    {
        if (Interlocked.Exchange(ref _ended, 1) != 0)
        {
            return;
        }

        var retries = Math.Max(0, Volatile.Read(ref _requests) - 1);
        var transparent = Volatile.Read(ref _transparentRetries);
        var delay = Interlocked.Read(ref _delayTicks);
        CallMetrics.CallEnded(Method, _target, status, Stopwatch.GetElapsedTime(_start), retries, _hedged, transparent, TimeSpan.FromSeconds(delay / (double)Stopwatch.Frequency));
    }

    /// <summary>Restores the previous current call.</summary>
    public readonly struct Scope(CallRecord? previous) : IDisposable
    {
        public void Dispose() => CurrentCall.Value = previous;
    }
}
