using Proxyless.Balancing;
using Proxyless.Xds.Resources;

namespace Proxyless.Xds.Policies;

/// <summary>
/// gRFC A28's route matching for one call: the first route of the virtual host whose path matcher, header matchers and
/// runtime fraction all match. Headers ending in <c>-bin</c> are treated as absent; a header sent several times is
/// matched as its values joined with a comma.
/// </summary>
internal static class RouteTable
{
    /// <summary>The first route that matches the call, or null.</summary>
    public static XdsRoute? Match(XdsVirtualHost host, in PickContext context)
    {
        var path = context.Method;
        foreach (var route in host.Routes)
        {
            if (Matches(route.Match, path, context))
            {
                return route;
            }
        }

        return null;
    }

    /// <summary>Chooses one of a route's weighted clusters at random by weight.</summary>
    public static string ChooseCluster(IReadOnlyList<XdsWeightedCluster> clusters)
    {
        if (clusters.Count == 1)
        {
            return clusters[0].Name;
        }

        ulong total = 0;
        foreach (var cluster in clusters)
        {
            total += cluster.Weight;
        }

        var draw = (ulong)Random.Shared.NextInt64((long)total);
        foreach (var cluster in clusters)
        {
            if (draw < cluster.Weight)
            {
                return cluster.Name;
            }

            draw -= cluster.Weight;
        }

        return clusters[^1].Name;
    }

    /// <summary>
    /// gRFC A42's request hash from a route's hash policies: each policy that yields a value (a header, after its
    /// regex rewrite; or the channel's id) is hashed with XXH64 and folded in as <c>rotl(hash, 1) ^ value</c>; a
    /// terminal policy that yielded one ends the list. Null when no policy yielded anything (ring_hash then picks at
    /// random).
    /// </summary>
    public static ulong? RequestHash(IReadOnlyList<XdsHashPolicy> policies, in PickContext context, ulong channelId)
    {
        ulong? hash = null;
        foreach (var policy in policies)
        {
            ulong? value = null;
            if (policy.Kind == XdsHashPolicyKind.ChannelId)
            {
                value = channelId;
            }
            else if (HeaderValue(context, policy.HeaderName) is { } header)
            {
                if (policy.Rewrite is { } rewrite)
                {
                    header = rewrite.Replace(header, policy.Substitution);
                }

                value = Proxyless.Balancing.Policies.RingHash.Ring.Hash(header);
            }

            if (value is not { } v)
            {
                continue;
            }

            hash = hash is { } h ? ((h << 1) | (h >> 63)) ^ v : v;
            if (policy.Terminal)
            {
                break;
            }
        }

        return hash;
    }

    private static bool Matches(XdsRouteMatch match, string path, in PickContext context)
    {
        var comparison = match.CaseSensitive ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase;
        var pathMatches = match.PathKind switch
        {
            XdsPathMatchKind.Prefix => path.StartsWith(match.Path, comparison),
            XdsPathMatchKind.Path => string.Equals(path, match.Path, comparison),
            _ => match.PathRegex!.IsMatch(path),
        };
        if (!pathMatches)
        {
            return false;
        }

        foreach (var header in match.Headers)
        {
            if (!header.Matches(HeaderValue(context, header.Name)))
            {
                return false;
            }
        }

        return match.FractionPerMillion is not { } fraction || (uint)Random.Shared.Next(1_000_000) < fraction;
    }

    private static string? HeaderValue(in PickContext context, string name)
    {
        if (name.EndsWith("-bin", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        if (string.Equals(name, "content-type", StringComparison.OrdinalIgnoreCase))
        {
            return "application/grpc";
        }

        var request = context.Request;
        if (request is null)
        {
            return null;
        }

        if (request.Headers.NonValidated.TryGetValues(name, out var values))
        {
            return values.Count == 1 ? values.ToString() : string.Join(",", values);
        }

        return request.Content?.Headers.NonValidated.TryGetValues(name, out var contentValues) == true ? string.Join(",", contentValues) : null;
    }
}
