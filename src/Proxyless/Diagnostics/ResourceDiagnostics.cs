namespace Proxyless.Diagnostics;

/// <summary>
/// One configuration resource a channel's resolver follows (an xDS listener, route configuration, cluster or endpoints
/// resource), as CSDS (gRFC A40) reports it.
/// </summary>
/// <param name="Type">The resource type, e.g. <c>LDS</c>.</param>
/// <param name="Name">The resource name.</param>
/// <param name="Status"><c>REQUESTED</c>, <c>ACKED</c>, <c>NACKED</c> or <c>DOES_NOT_EXIST</c>.</param>
/// <param name="Version">The version in use, if any.</param>
/// <param name="Error">Why the last update was rejected, or why there is none.</param>
/// <param name="LastUpdated">When the status last changed.</param>
public sealed record ResourceDiagnostics(string Type, string Name, string Status, string? Version, string? Error, DateTimeOffset? LastUpdated)
{
    /// <summary>The resource in use, as protobuf JSON, when there is one.</summary>
    public string? Json { get; init; }
}
