using System.Net.Sockets;
using Proxyless.Resolution;

namespace Proxyless.Balancing.Policies.PickFirst;

/// <summary>
/// Orders addresses for Happy Eyeballs (RFC 8305 section 4, gRFC A61): the family of the first address first, then
/// alternating between families, each family keeping its own order. Duplicates are dropped.
/// </summary>
internal static class AddressInterleaving
{
    /// <summary>Flattens the endpoints' addresses and interleaves their families.</summary>
    /// <param name="endpoints">The endpoints, in order.</param>
    public static IReadOnlyList<BackendAddress> Interleave(IEnumerable<BackendEndpoint> endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var byFamily = new List<(AddressFamily Family, Queue<BackendAddress> Addresses)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var count = 0;
        foreach (var address in endpoints.SelectMany(e => e.Addresses))
        {
            if (!seen.Add(address.ToString()))
            {
                continue;
            }

            var index = byFamily.FindIndex(f => f.Family == address.AddressFamily);
            if (index < 0)
            {
                byFamily.Add((address.AddressFamily, new Queue<BackendAddress>()));
                index = byFamily.Count - 1;
            }

            byFamily[index].Addresses.Enqueue(address);
            count++;
        }

        var result = new List<BackendAddress>(count);
        while (result.Count < count)
        {
            foreach (var (_, addresses) in byFamily)
            {
                if (addresses.TryDequeue(out var next))
                {
                    result.Add(next);
                }
            }
        }

        return result;
    }
}
