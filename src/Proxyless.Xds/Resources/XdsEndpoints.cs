using System.Net;
using Envoy.Config.Core.V3;

namespace Proxyless.Xds.Resources;

/// <summary>A decoded ClusterLoadAssignment: localities (each with its priority) and drop overloads.</summary>
internal sealed record XdsEndpoints(string ClusterName, IReadOnlyList<XdsLocality> Localities, IReadOnlyList<XdsDropOverload> Drops)
{
    /// <summary>The number of priorities (they run from 0 without gaps).</summary>
    public int PriorityCount => Localities.Count == 0 ? 0 : (int)Localities.Max(l => l.Priority) + 1;
}

/// <summary>A locality: where it is, its weight among the localities of its priority, and its endpoints.</summary>
internal sealed record XdsLocality(string Region, string Zone, string SubZone, uint Weight, uint Priority, IReadOnlyList<XdsEndpoint> Endpoints)
{
    /// <summary>A stable name for the locality, used as the child name in weighted_target.</summary>
    public string Key => $"{{region=\"{Region}\", zone=\"{Zone}\", sub_zone=\"{SubZone}\"}}";
}

/// <summary>An endpoint: its addresses (the first, then A61's additional ones), health, weight and host name.</summary>
internal sealed record XdsEndpoint(IReadOnlyList<IPEndPoint> Addresses, HealthStatus Health, uint Weight, string Hostname)
{
    /// <summary>UNKNOWN and HEALTHY endpoints are used; UNHEALTHY, DRAINING, TIMEOUT and DEGRADED are not (gRFC A27).</summary>
    public bool IsUsable => Health is HealthStatus.Unknown or HealthStatus.Healthy;
}

/// <summary>A drop overload: calls of the category dropped at the given rate (parts per million).</summary>
internal sealed record XdsDropOverload(string Category, uint PerMillion);
