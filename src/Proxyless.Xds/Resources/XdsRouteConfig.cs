namespace Proxyless.Xds.Resources;

/// <summary>A decoded RouteConfiguration (RDS, or inline in a listener): its virtual hosts in order.</summary>
internal sealed record XdsRouteConfig(string Name, IReadOnlyList<XdsVirtualHost> VirtualHosts);

/// <summary>A virtual host: the domains it serves, its routes in order, and its retry policy for routes without one.</summary>
internal sealed record XdsVirtualHost(string Name, IReadOnlyList<string> Domains, IReadOnlyList<XdsRoute> Routes, XdsRetryPolicy? RetryPolicy);
