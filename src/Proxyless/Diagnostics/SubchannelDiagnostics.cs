namespace Proxyless.Diagnostics;

/// <summary>One subchannel in a <see cref="ChannelDiagnostics"/> snapshot.</summary>
/// <param name="Address">The backend address.</param>
/// <param name="State">Its state as policies see it.</param>
/// <param name="ActiveCalls">Calls in flight on it.</param>
/// <param name="OpenConnections">HTTP/2 connections open to it.</param>
public sealed record SubchannelDiagnostics(string Address, ConnectivityState State, int ActiveCalls, int OpenConnections)
{
    /// <summary>What the policy says about this backend (<c>weight 500</c> for weighted_round_robin, <c>ejected</c> for
    /// outlier detection), or null.</summary>
    public string? PolicyNote { get; init; }
}
