using System.Text.Json;

namespace Proxyless.Xds.Bootstrap;

/// <summary>The <c>node</c> this client presents to the control plane (Envoy's <c>Node</c>).</summary>
/// <param name="Id">The node id.</param>
/// <param name="Cluster">The node's cluster.</param>
/// <param name="Region">Locality region.</param>
/// <param name="Zone">Locality zone.</param>
/// <param name="SubZone">Locality sub-zone.</param>
/// <param name="Metadata">The <c>metadata</c> object as given (sent as a <c>google.protobuf.Struct</c>), or null.</param>
internal sealed record XdsNode(string Id, string Cluster, string Region, string Zone, string SubZone, JsonElement? Metadata);
