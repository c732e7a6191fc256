namespace Proxyless.ClientFactory;

/// <summary>
/// An options type whose validation, at host start (<c>ValidateOnStart</c>), builds each Proxyless client's handler
/// chain once, so a conflicting primary handler is an error then rather than when the client is first resolved.
/// </summary>
internal sealed class ProxylessStartupCheck;
