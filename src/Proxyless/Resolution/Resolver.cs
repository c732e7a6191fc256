namespace Proxyless.Resolution;

/// <summary>
/// Turns a target into endpoints and keeps them current. A resolver reports through the listener passed
/// to <see cref="Start"/>, from any thread; the channel hands each result to the policy on its serializer.
/// </summary>
public abstract class Resolver : IDisposable
{
    /// <summary>Starts resolving; results and errors go to <paramref name="listener"/> until disposal.</summary>
    /// <param name="listener">Receives each result.</param>
    public abstract void Start(Action<ResolverResult> listener);

    /// <summary>
    /// Asks for a fresh resolution (the policy calls this when connections fail). Resolvers may rate-limit it;
    /// push-based resolvers may ignore it.
    /// </summary>
    public virtual void RefreshResolution()
    {
    }

    /// <summary>
    /// The configuration resources this resolver follows and where each stands (the xDS resolver lists its listener,
    /// routes, clusters and endpoints), for <c>BalancedChannel.GetDiagnostics</c>. Called on any thread; none by default.
    /// </summary>
    public virtual IReadOnlyList<Diagnostics.ResourceDiagnostics> DescribeResources() => [];

    /// <summary>Stops resolving and releases resources.</summary>
    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases resources.</summary>
    /// <param name="disposing">True when called from <see cref="Dispose()"/>.</param>
    protected virtual void Dispose(bool disposing)
    {
    }
}
