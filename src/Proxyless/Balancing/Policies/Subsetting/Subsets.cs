using System.IO.Hashing;
using System.Text;
using Proxyless.Resolution;

namespace Proxyless.Balancing.Policies.Subsetting;

/// <summary>The two subsetting algorithms, as pure functions of the endpoint list.</summary>
internal static class Subsets
{
    /// <summary>
    /// gRFC A68: every endpoint's first address hashed with XXH64 and the client's seed, sorted by hash, the first
    /// <paramref name="size"/> kept (rendezvous hashing: adding or removing one endpoint changes at most one member).
    /// </summary>
    public static IReadOnlyList<BackendEndpoint> Random(IReadOnlyList<BackendEndpoint> endpoints, int size, long seed)
    {
        if (size >= endpoints.Count)
        {
            return endpoints;
        }

        return [.. endpoints
            .Select(e => (Hash: XxHash64.HashToUInt64(Encoding.UTF8.GetBytes(e.Addresses[0].ToString()), seed), Endpoint: e))
            .OrderBy(x => x.Hash)
            .Take(size)
            .Select(x => x.Endpoint)];
    }

    /// <summary>
    /// The SRE book's deterministic subsetting: endpoints in a stable order (by first address), clients grouped in rounds
    /// of <c>count / size</c>; the round shuffles the endpoints with its number as seed and client <c>i</c> of the round
    /// takes slice <c>i mod subsetsPerRound</c>. The shuffle is our own (Fisher-Yates driven by XXH64 of the round and
    /// position), so every client computes the same permutation whatever runtime it runs on. Every endpoint gets the same number of clients (within one) over a
    /// whole number of rounds.
    /// </summary>
    public static IReadOnlyList<BackendEndpoint> Deterministic(IReadOnlyList<BackendEndpoint> endpoints, int size, int clientIndex)
    {
        if (size >= endpoints.Count)
        {
            return endpoints;
        }

        var ordered = endpoints.OrderBy(e => e.Addresses[0].ToString(), StringComparer.Ordinal).ToArray();
        var subsetsPerRound = ordered.Length / size;
        var round = clientIndex / subsetsPerRound;
        Shuffle(ordered, round);
        var slice = clientIndex % subsetsPerRound;
        return ordered.AsSpan(slice * size, size).ToArray();
    }

    // Fisher-Yates with swap positions from XXH64(round, i): the same permutation on every client.
    private static void Shuffle(BackendEndpoint[] items, int round)
    {
        Span<byte> input = stackalloc byte[8];
        BitConverter.TryWriteBytes(input, round);
        for (var i = items.Length - 1; i > 0; i--)
        {
            BitConverter.TryWriteBytes(input[4..], i);
            var j = (int)(XxHash64.HashToUInt64(input) % (ulong)(i + 1));
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
