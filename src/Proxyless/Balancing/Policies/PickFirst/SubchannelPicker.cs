namespace Proxyless.Balancing.Policies.PickFirst;

/// <summary>A picker that sends every call to one subchannel; the result is prepared once, so picking allocates nothing.</summary>
internal sealed class SubchannelPicker(Subchannel subchannel) : Picker
{
    private readonly PickResult _result = PickResult.ForSubchannel(subchannel);

    public override PickResult Pick(in PickContext context) => _result;

    public override string ToString() => $"Subchannel({subchannel.Address})";
}
