using System.Text.RegularExpressions;

namespace Proxyless.Xds.Resources;

/// <summary>What a hash policy hashes (gRFC A42).</summary>
internal enum XdsHashPolicyKind
{
    Header,
    ChannelId,
}

/// <summary>One of a route's hash policies for ring_hash (gRFC A42).</summary>
internal sealed record XdsHashPolicy(XdsHashPolicyKind Kind, string HeaderName, Regex? Rewrite, string Substitution, bool Terminal);
