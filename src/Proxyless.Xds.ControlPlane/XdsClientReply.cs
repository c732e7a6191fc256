namespace Proxyless.Xds.ControlPlane;

/// <summary>One ACK or NACK a client sent the control plane.</summary>
/// <param name="NodeId">The client's <c>node.id</c> from its bootstrap.</param>
/// <param name="TypeUrl">The resource type of the response it answers.</param>
/// <param name="ResponseVersion">The <c>version_info</c> of the response it answers (found by its nonce).</param>
/// <param name="Accepted">True for an ACK, false for a NACK.</param>
/// <param name="Error">The NACK's <c>error_detail</c> message.</param>
/// <param name="ResourceNames">The names of the resources in the response it answers.</param>
public sealed record XdsClientReply(string NodeId, string TypeUrl, string ResponseVersion, bool Accepted, string? Error, IReadOnlyList<string> ResourceNames);
