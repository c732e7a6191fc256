namespace Proxyless.Transport;

/// <summary>
/// A connection was requested on a subchannel that had been shut down after a pick chose it. The request never left
/// this process; an <see cref="IOException"/> makes gRPC report UNAVAILABLE and lets it be retried.
/// </summary>
internal sealed class SubchannelShutdownException(string address) : IOException($"the subchannel for {address} is shut down");
