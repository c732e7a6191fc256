namespace Proxyless.Balancing.Policies.WeightedRoundRobin;

/// <summary>
/// gRFC A58's static stride scheduler: weights scaled to 16 bits; each pick advances one shared sequence number and
/// accepts backend <c>seq mod n</c> in generation <c>seq / n</c> when its weight covers that slot. Lock-free, no
/// allocation, O(max/mean) steps per pick. Backends with weight 0 (unknown) get the mean weight.
/// </summary>
internal sealed class StaticStrideScheduler
{
    private const int MaxWeight = ushort.MaxValue;
    private const int Offset = MaxWeight / 2;

    private readonly ushort[] _weights;
    private long _sequence;

    private StaticStrideScheduler(ushort[] weights, long start)
    {
        _weights = weights;
        _sequence = start;
    }

    public IReadOnlyList<ushort> ScaledWeights => _weights;

    /// <summary>A scheduler, or null when fewer than two weights are known (then plain round robin is as good).</summary>
    public static StaticStrideScheduler? Create(IReadOnlyList<double> weights, long start)
    {
        var known = weights.Where(w => w > 0).ToArray();
        if (known.Length < 2)
        {
            return null;
        }

        var max = known.Max();
        var mean = known.Average();
        var scaled = new ushort[weights.Count];
        for (var i = 0; i < weights.Count; i++)
        {
            var weight = weights[i] > 0 ? weights[i] : mean;
            scaled[i] = (ushort)Math.Clamp(Math.Round(weight * MaxWeight / max), 1, MaxWeight);
        }

        return new StaticStrideScheduler(scaled, start);
    }

    public int Pick()
    {
        var count = (ulong)_weights.Length;
        while (true)
        {
            var sequence = (ulong)Interlocked.Increment(ref _sequence);
            var index = (int)(sequence % count);
            var generation = sequence / count;
            ulong weight = _weights[index];
            if ((weight * generation + ((ulong)index * Offset)) % MaxWeight >= MaxWeight - weight)
            {
                return index;
            }
        }
    }
}
