namespace Proxyless.Balancing;

/// <summary>The kinds of <see cref="PickResult"/>.</summary>
public enum PickResultType
{
    /// <summary>Send the call on the chosen subchannel.</summary>
    Complete,

    /// <summary>No decision yet: wait for the next picker.</summary>
    Queue,

    /// <summary>Fail the call (wait-for-ready calls keep waiting instead).</summary>
    Fail,

    /// <summary>Fail the call, even a wait-for-ready one, and do not retry it.</summary>
    Drop,
}
