namespace Proxyless.Xds.Resources;

/// <summary>What kind of cluster a CDS resource is (gRFC A27, A37).</summary>
internal enum XdsClusterKind
{
    /// <summary>Endpoints from EDS.</summary>
    Eds,

    /// <summary>One host name resolved by DNS, all its addresses one endpoint.</summary>
    LogicalDns,

    /// <summary>An ordered list of other clusters, tried in priority order.</summary>
    Aggregate,
}

/// <summary>
/// A decoded cluster. <see cref="LbPolicyJson"/> is the balancing config in gRPC's service-config form (a JSON array of
/// <c>{"policy": {config}}</c>, the first entry the one used), already checked against the channel's policy registry;
/// <see cref="OutlierDetectionJson"/> is the <c>outlier_detection</c> config without its child, when the cluster has one.
/// </summary>
internal sealed record XdsCluster(
    string Name,
    XdsClusterKind Kind,
    string EdsServiceName,
    string DnsHost,
    int DnsPort,
    IReadOnlyList<string> AggregateChildren,
    string LbPolicyJson,
    string? OutlierDetectionJson,
    uint MaxRequests,
    bool ReportsLoad)
{
    /// <summary>A32's default for <c>max_requests</c> when the cluster sets no circuit breaker.</summary>
    public const uint DefaultMaxRequests = 1024;
}
