using Grpc.Core;

namespace Proxyless.Balancing;

/// <summary>
/// A load-balancing policy instance. The channel calls every method on one serializer, one call at a time, and
/// delivers subchannel state notifications on the same serializer, so policy code needs no locks.
/// A policy reports through its <see cref="IChannelControlHelper"/>: it creates subchannels and publishes pickers.
/// </summary>
public abstract class LoadBalancer : IDisposable
{
    /// <summary>
    /// A new resolver result. Return a non-OK status when the update cannot be used (for example no addresses);
    /// the channel then asks the resolver to resolve again.
    /// </summary>
    /// <param name="state">The endpoints and the policy's config.</param>
    public abstract Status UpdateChannelState(ChannelState state);

    /// <summary>The resolver failed. Policies with working backends may ignore this; others fail calls with it.</summary>
    /// <param name="error">The resolver error.</param>
    public abstract void ResolverError(Status error);

    /// <summary>
    /// Adds what the policy knows about its endpoints to <paramref name="notes"/>, by address (a weight, an ejection),
    /// for diagnostics. Called on any thread: read only state the policy publishes safely.
    /// </summary>
    internal virtual void DescribeEndpoints(Dictionary<string, string> notes)
    {
    }

    /// <summary>Asks an idle policy to start connecting (a call arrived, or <c>ConnectAsync</c> was called).</summary>
    public virtual void ExitIdle()
    {
    }

    /// <summary>Shuts the policy down: it shuts down its subchannels and children.</summary>
    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Shuts the policy down.</summary>
    /// <param name="disposing">True when called from <see cref="Dispose()"/>.</param>
    protected virtual void Dispose(bool disposing)
    {
    }
}
