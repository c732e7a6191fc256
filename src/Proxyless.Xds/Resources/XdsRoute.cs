using System.Text.RegularExpressions;

namespace Proxyless.Xds.Resources;

/// <summary>One route: what it matches and what it does (gRFC A28).</summary>
internal sealed record XdsRoute(XdsRouteMatch Match, XdsRouteAction Action);

/// <summary>How a route matches the call's path.</summary>
internal enum XdsPathMatchKind
{
    Prefix,
    Path,
    SafeRegex,
}

/// <summary>A route's match: the path, the headers, and the share of calls it takes (parts per million) when set.</summary>
internal sealed record XdsRouteMatch(XdsPathMatchKind PathKind, string Path, Regex? PathRegex, bool CaseSensitive, IReadOnlyList<XdsHeaderMatcher> Headers, uint? FractionPerMillion);

/// <summary>What a route does with a call it matches.</summary>
internal enum XdsRouteActionKind
{
    /// <summary>Sends it to a cluster (one, or one of weighted clusters).</summary>
    Route,

    /// <summary>A non-forwarding action: a client fails the call.</summary>
    NonForwarding,

    /// <summary>An action a client does not support (redirect, direct response, ...): the call fails.</summary>
    Unsupported,
}

/// <summary>A route's action: for <see cref="XdsRouteActionKind.Route"/>, its clusters and per-route settings.</summary>
internal sealed record XdsRouteAction(
    XdsRouteActionKind Kind,
    IReadOnlyList<XdsWeightedCluster> Clusters,
    TimeSpan? MaxStreamDuration,
    XdsRetryPolicy? RetryPolicy,
    IReadOnlyList<XdsHashPolicy> HashPolicies)
{
    /// <summary>An action that is not <see cref="XdsRouteActionKind.Route"/>.</summary>
    public static XdsRouteAction Other(XdsRouteActionKind kind) => new(kind, [], null, null, []);
}

/// <summary>A cluster a route sends to, with its weight (1 for a route naming a single cluster).</summary>
internal sealed record XdsWeightedCluster(string Name, uint Weight);
