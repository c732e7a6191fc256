using Proxyless.Xds.Resources;

namespace Proxyless.Xds.Resolver;

/// <summary>
/// gRFC A28's virtual host choice for an authority: an exact domain first, then the longest suffix wildcard
/// (<c>*.example.com</c>), then the longest prefix wildcard (<c>example.*</c>), then <c>*</c>. Case-insensitive.
/// </summary>
internal static class VirtualHostSelector
{
    public static XdsVirtualHost? Select(IReadOnlyList<XdsVirtualHost> hosts, string authority)
    {
        XdsVirtualHost? best = null;
        var bestRank = int.MaxValue;
        var bestLength = -1;
        foreach (var host in hosts)
        {
            foreach (var domain in host.Domains)
            {
                var (rank, length) = Rank(domain, authority);
                if (rank < bestRank || (rank == bestRank && length > bestLength))
                {
                    (best, bestRank, bestLength) = (host, rank, length);
                }
            }
        }

        return best;
    }

    // Lower rank wins: 0 exact, 1 suffix wildcard, 2 prefix wildcard, 3 "*"; int.MaxValue: no match.
    private static (int Rank, int Length) Rank(string domain, string authority)
    {
        if (domain == "*")
        {
            return (3, 1);
        }

        if (domain.StartsWith('*'))
        {
            return authority.EndsWith(domain[1..], StringComparison.OrdinalIgnoreCase) && authority.Length > domain.Length - 1 ? (1, domain.Length) : (int.MaxValue, 0);
        }

        if (domain.EndsWith('*'))
        {
            return authority.StartsWith(domain[..^1], StringComparison.OrdinalIgnoreCase) && authority.Length > domain.Length - 1 ? (2, domain.Length) : (int.MaxValue, 0);
        }

        return string.Equals(domain, authority, StringComparison.OrdinalIgnoreCase) ? (0, domain.Length) : (int.MaxValue, 0);
    }
}
