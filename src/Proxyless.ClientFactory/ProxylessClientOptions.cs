namespace Proxyless.ClientFactory;

/// <summary>What <c>UseProxyless</c> was given for one client name: the actions that configure its channel.</summary>
internal sealed class ProxylessClientOptions
{
    public List<Action<BalancedChannelOptions>> Configure { get; } = [];

    /// <summary>Whether <c>UseProxyless</c> was called for this name.</summary>
    public bool Enabled { get; set; }
}
