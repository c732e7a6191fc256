using Grpc.Core;

namespace Proxyless.Balancing;

/// <summary>
/// A picker's decision for one call attempt. A value type, so returning a prepared result allocates nothing.
/// </summary>
public readonly struct PickResult
{
    private PickResult(PickResultType type, Subchannel? subchannel, ICallTracker? tracker, Status status)
    {
        Type = type;
        Subchannel = subchannel;
        CallTracker = tracker;
        Status = status;
    }

    /// <summary>The kind of decision.</summary>
    public PickResultType Type { get; }

    /// <summary>The chosen subchannel for <see cref="PickResultType.Complete"/>.</summary>
    public Subchannel? Subchannel { get; }

    /// <summary>An optional tracker told of the attempt's start and end.</summary>
    public ICallTracker? CallTracker { get; }

    /// <summary>The error for <see cref="PickResultType.Fail"/> and <see cref="PickResultType.Drop"/>.</summary>
    public Status Status { get; }

    /// <summary>Send the call on <paramref name="subchannel"/>.</summary>
    /// <param name="subchannel">The subchannel; it should be READY.</param>
    /// <param name="tracker">An optional tracker.</param>
    public static PickResult ForSubchannel(Subchannel subchannel, ICallTracker? tracker = null)
    {
        ArgumentNullException.ThrowIfNull(subchannel);
        return new(PickResultType.Complete, subchannel, tracker, Status.DefaultSuccess);
    }

    /// <summary>Wait for the next picker.</summary>
    public static PickResult ForQueue() => new(PickResultType.Queue, null, null, Status.DefaultSuccess);

    /// <summary>Fail the call with <paramref name="status"/> unless it is wait-for-ready.</summary>
    /// <param name="status">A non-OK status; the message should say what failed where.</param>
    public static PickResult ForFailure(Status status) => new(PickResultType.Fail, null, null, status);

    /// <summary>Fail the call with <paramref name="status"/> even if it is wait-for-ready; it is not retried.</summary>
    /// <param name="status">A non-OK status.</param>
    public static PickResult ForDrop(Status status) => new(PickResultType.Drop, null, null, status);

    /// <summary>Returns a copy with another call tracker (for policies that wrap a child's picker).</summary>
    /// <param name="tracker">The tracker.</param>
    public PickResult WithCallTracker(ICallTracker? tracker) => new(Type, Subchannel, tracker, Status);

    /// <inheritdoc />
    public override string ToString() => Type switch
    {
        PickResultType.Complete => $"Complete({Subchannel?.Address})",
        PickResultType.Queue => "Queue",
        _ => $"{Type}({Status.StatusCode}: {Status.Detail})",
    };
}
