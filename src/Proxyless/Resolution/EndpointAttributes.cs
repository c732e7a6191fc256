namespace Proxyless.Resolution;

/// <summary>Well-known attribute keys of endpoints.</summary>
public static class EndpointAttributes
{
    /// <summary>A static relative weight (positive), e.g. from a registry entry; weighted_round_robin uses it when no ORCA reports arrive, ring_hash always.</summary>
    public static readonly AttributeKey<int> Weight = new("weight");
}
