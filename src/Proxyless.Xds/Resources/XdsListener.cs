namespace Proxyless.Xds.Resources;

/// <summary>
/// A decoded API listener: where its routes come from (an RDS name, or inline), the HCM's max stream duration (A31),
/// and the HTTP filters the client runs (the router).
/// </summary>
internal sealed record XdsListener(string Name, string? RouteConfigName, XdsRouteConfig? InlineRouteConfig, TimeSpan? MaxStreamDuration, IReadOnlyList<string> HttpFilters);
