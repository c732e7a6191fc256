using Grpc.Core;

namespace Proxyless.Balancing;

/// <summary>A subchannel's connectivity state and, for <see cref="ConnectivityState.TransientFailure"/>, why.</summary>
/// <param name="State">The state.</param>
/// <param name="Status">OK, or the reason for the state (which address, what happened).</param>
public readonly record struct SubchannelState(ConnectivityState State, Status Status)
{
    /// <inheritdoc />
    public override string ToString() => Status.StatusCode == StatusCode.OK ? State.ToString() : $"{State} ({Status.Detail})";
}
