using System.Text.Json;

namespace Proxyless.Configuration;

/// <summary>
/// One entry of a service config's <c>loadBalancingConfig</c> list: a policy name and its raw JSON config.
/// The channel uses the first entry whose policy is registered.
/// </summary>
/// <param name="PolicyName">The policy name, e.g. <c>round_robin</c>.</param>
/// <param name="Config">The policy's JSON config object (an empty object when none was given).</param>
/// <param name="FieldPath">Where the entry stands in the document, for error messages.</param>
internal sealed record LoadBalancingPolicySelection(string PolicyName, JsonElement Config, string FieldPath);
