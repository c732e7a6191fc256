using Proxyless.Resolution;

namespace Proxyless.Xds.Policies;

/// <summary>What the xDS policies attach to each endpoint they pass down.</summary>
internal static class XdsEndpointAttributes
{
    /// <summary>The endpoint's locality (its weighted_target child name).</summary>
    public static readonly AttributeKey<string> Locality = new("xds.locality");

    /// <summary>The weight of the endpoint's locality within its priority.</summary>
    public static readonly AttributeKey<uint> LocalityWeight = new("xds.locality_weight");

    /// <summary>The cluster the endpoint belongs to.</summary>
    public static readonly AttributeKey<string> Cluster = new("xds.cluster");
}
