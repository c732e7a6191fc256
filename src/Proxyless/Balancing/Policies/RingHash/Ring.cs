using System.IO.Hashing;
using System.Text;
using Proxyless.Resolution;

namespace Proxyless.Balancing.Policies.RingHash;

/// <summary>
/// The hash ring of gRFC A42: each endpoint gets entries in proportion to its normalized weight, at least
/// <c>minRingSize</c> in all and at most <c>maxRingSize</c>; entry hashes are xxHash64 of "address_n".
/// </summary>
internal sealed class Ring
{
    private readonly ulong[] _hashes;
    private readonly int[] _endpoints;

    private Ring(ulong[] hashes, int[] endpoints)
    {
        _hashes = hashes;
        _endpoints = endpoints;
    }

    public int Count => _hashes.Length;

    public static Ring Build(IReadOnlyList<BackendEndpoint> endpoints, long minRingSize, long maxRingSize)
    {
        var weights = endpoints.Select(e => (double)Math.Max(1, e.Attributes.GetValueOrDefault(EndpointAttributes.Weight, 1))).ToArray();
        var total = weights.Sum();
        var normalized = weights.Select(w => w / total).ToArray();
        var minNormalized = normalized.Min();
        var scale = Math.Min(Math.Ceiling(minNormalized * minRingSize) / minNormalized, maxRingSize);
        var size = (int)Math.Ceiling(scale);
        var entries = new List<(ulong Hash, int Endpoint)>(size);
        double target = 0;
        var current = 0;
        for (var i = 0; i < endpoints.Count; i++)
        {
            var key = endpoints[i].Addresses[0].ToString();
            target += scale * normalized[i];
            for (var n = 0; current < target; n++, current++)
            {
                entries.Add((XxHash64.HashToUInt64(Encoding.UTF8.GetBytes($"{key}_{n}")), i));
            }
        }

        entries.Sort((a, b) => a.Hash.CompareTo(b.Hash));
        return new Ring(entries.Select(e => e.Hash).ToArray(), entries.Select(e => e.Endpoint).ToArray());
    }

    /// <summary>The position of the first entry whose hash is at or after <paramref name="hash"/> (wrapping).</summary>
    public int Find(ulong hash)
    {
        var index = Array.BinarySearch(_hashes, hash);
        if (index < 0)
        {
            index = ~index;
        }

        return index == _hashes.Length ? 0 : index;
    }

    /// <summary>
    /// Each endpoint's share of the ring: the fraction of all 2^64 hashes whose first entry at or after them is the
    /// endpoint's (an entry owns the arc from the previous entry's hash, exclusive, to its own). Calls with random
    /// hashes go to an endpoint with this probability.
    /// </summary>
    /// <param name="endpointCount">The number of endpoints the ring was built over.</param>
    public double[] Shares(int endpointCount)
    {
        var shares = new double[endpointCount];
        for (var i = 0; i < _hashes.Length; i++)
        {
            var previous = i == 0 ? _hashes[^1] : _hashes[i - 1];
            var arc = unchecked(_hashes[i] - previous); // the first entry's arc wraps around from the last
            shares[_endpoints[i]] += arc / 18446744073709551616.0;
        }

        return shares;
    }

    /// <summary>The endpoint index of entry <paramref name="position"/> (taken modulo the ring size).</summary>
    public int EndpointAt(int position) => _endpoints[position % _endpoints.Length];

    /// <summary>Hashes a request key as the ring does (without allocating for keys up to 256 bytes).</summary>
    public static ulong Hash(string key)
    {
        var max = Encoding.UTF8.GetMaxByteCount(key.Length);
        if (max > 256)
        {
            return XxHash64.HashToUInt64(Encoding.UTF8.GetBytes(key));
        }

        Span<byte> buffer = stackalloc byte[256];
        var length = Encoding.UTF8.GetBytes(key, buffer);
        return XxHash64.HashToUInt64(buffer[..length]);
    }
}
