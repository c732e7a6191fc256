namespace Proxyless.Balancing;

/// <summary>A policy's parsed config; each policy derives its own record from this.</summary>
public abstract record LoadBalancerConfig
{
    /// <summary>The policy name the config belongs to (e.g. <c>round_robin</c>).</summary>
    public abstract string PolicyName { get; }
}
