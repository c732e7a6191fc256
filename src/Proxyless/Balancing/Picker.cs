using Grpc.Core;

namespace Proxyless.Balancing;

/// <summary>
/// Chooses a subchannel (or queue, fail, drop) for each call attempt. A picker is an immutable snapshot called from
/// many threads at once; a policy publishes a new one through <see cref="IChannelControlHelper.UpdateState"/> instead
/// of changing it.
/// </summary>
public abstract class Picker
{
    /// <summary>A picker that queues every call (used while connecting).</summary>
    public static Picker Queue { get; } = new QueuePicker();

    /// <summary>Decides for one call attempt.</summary>
    /// <param name="context">The call attempt.</param>
    public abstract PickResult Pick(in PickContext context);

    /// <summary>A picker that fails every call with <paramref name="status"/>.</summary>
    /// <param name="status">The error.</param>
    public static Picker Fail(Status status) => new FailPicker(status);

    private sealed class QueuePicker : Picker
    {
        public override PickResult Pick(in PickContext context) => PickResult.ForQueue();

        public override string ToString() => "Queue";
    }

    private sealed class FailPicker(Status status) : Picker
    {
        private readonly PickResult _result = PickResult.ForFailure(status);

        public override PickResult Pick(in PickContext context) => _result;

        public override string ToString() => $"Fail({status.Detail})";
    }
}
