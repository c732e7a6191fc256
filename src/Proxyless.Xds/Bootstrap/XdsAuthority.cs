namespace Proxyless.Xds.Bootstrap;

/// <summary>One entry of <c>authorities</c> (gRFC A47, federation).</summary>
/// <param name="Name">The authority's name (the host of <c>xds://name/...</c> targets and <c>xdstp://name/...</c> resources).</param>
/// <param name="Servers">Its own control planes, or null to use the top-level <c>xds_servers</c>.</param>
/// <param name="ClientListenerResourceNameTemplate">The listener name template for targets in this authority.</param>
internal sealed record XdsAuthority(string Name, IReadOnlyList<XdsServerConfig>? Servers, string ClientListenerResourceNameTemplate);
