namespace Proxyless.Balancing.Policies.PickFirst;

/// <summary>Published by an idle policy: the first pick asks the policy (on the serializer) to reconnect; calls queue meanwhile.</summary>
internal sealed class IdlePicker(IChannelControlHelper helper, Action exitIdle) : Picker
{
    private int _requested;

    public override PickResult Pick(in PickContext context)
    {
        if (Interlocked.Exchange(ref _requested, 1) == 0)
        {
            helper.Schedule(exitIdle);
        }

        return PickResult.ForQueue();
    }

    public override string ToString() => "Idle";
}
