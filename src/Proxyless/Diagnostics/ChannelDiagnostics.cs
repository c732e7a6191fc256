namespace Proxyless.Diagnostics;

/// <summary>A snapshot of a balanced channel: its state and every live subchannel (from <c>BalancedChannel.GetDiagnostics</c>).</summary>
/// <param name="Target">The channel's target.</param>
/// <param name="State">The channel's aggregate state.</param>
/// <param name="Subchannels">The subchannels not yet shut down.</param>
public sealed record ChannelDiagnostics(string Target, ConnectivityState State, IReadOnlyList<SubchannelDiagnostics> Subchannels)
{
    /// <summary>The policy in use, or null before the first resolution.</summary>
    public string? Policy { get; init; }

    /// <summary>The configuration resources the resolver follows (xDS), empty for other resolvers.</summary>
    public IReadOnlyList<ResourceDiagnostics> Resources { get; init; } = [];

    /// <inheritdoc />
    public override string ToString()
        => $"{Target}: {State}"
            + string.Concat(Subchannels.Select(s => $"\n  {s.Address}: {s.State}, {s.ActiveCalls} calls, {s.OpenConnections} connections" + (s.PolicyNote is null ? "" : $", {s.PolicyNote}")))
            + string.Concat(Resources.Select(r => $"\n  {r.Type} {r.Name}: {r.Status}" + (r.Version is null ? "" : $" version {r.Version}") + (r.Error is null ? "" : $" ({r.Error})")));
}
