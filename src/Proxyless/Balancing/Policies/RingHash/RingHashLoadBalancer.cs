using Proxyless.Balancing.Policies.PickFirst;

namespace Proxyless.Balancing.Policies.RingHash;

/// <summary>
/// ring_hash (gRFC A42, A76) over pick_first children. The ring is rebuilt when the endpoints change; the picker walks
/// it from the call's hash: the first READY endpoint wins, failed ones are skipped (falling forward), and when the
/// first entry's endpoint is still connecting or idle the call waits for it (idle ones are asked to connect), so a key
/// does not wander while its endpoint comes up. Unlike gRPC's lazy connecting, every endpoint is kept connected.
/// </summary>
internal sealed class RingHashLoadBalancer(IChannelControlHelper helper) : EndpointPickingLoadBalancer(helper, PickFirstLoadBalancerProvider.Default)
{
    private RingHashConfig _config = new();
    private Ring? _ring;
    private string _ringKey = "";

    // The picker falls forward past failed endpoints and waits for connecting ones: every state counts.
    protected override bool PickerDependsOnEveryChild => true;

    protected override void OnUpdate(ChannelState state) => _config = (RingHashConfig)state.Config;

    protected override Picker CreatePicker(IReadOnlyList<EndpointChild> ready, IReadOnlyList<EndpointChild> all)
    {
        var key = $"{_config.MinRingSize}/{_config.MaxRingSize}/" + string.Join(",", all.Select(c => c.Endpoint.ToString()));
        if (_ring is null || key != _ringKey)
        {
            _ring = Ring.Build(all.Select(c => c.Endpoint).ToArray(), _config.MinRingSize, _config.MaxRingSize);
            _ringKey = key;
        }

        return new RingHashPicker(_ring, all.Select(c => (c.State, c.Picker)).ToArray(), all.ToArray(), _config.RequestHashHeader, Helper);
    }

    private sealed class RingHashPicker(Ring ring, (ConnectivityState State, Picker Picker)[] children, EndpointChild[] endpoints, string header, IChannelControlHelper helper) : Picker
    {
        public override PickResult Pick(in PickContext context)
        {
            ulong hash;
            if (RequestHash.TryGet(context.Request, out var preset))
            {
                hash = preset; // computed above (xDS hash policies, A42)
            }
            else
            {
                var value = header.Length > 0 ? context.GetHeader(header) : null;

                // Without a key, a random point anywhere on the ring (gRFC A76): all 64 bits, not NextInt64's 63, or the
                // upper half of the ring, and the endpoints whose entries lie there, would never be chosen.
                hash = value is null ? (ulong)System.Random.Shared.NextInt64(long.MinValue, long.MaxValue) : Ring.Hash(value);
            }

            var start = ring.Find(hash);
            var first = ring.EndpointAt(start);
            switch (children[first].State)
            {
                case ConnectivityState.Ready:
                    return children[first].Picker.Pick(context);
                case ConnectivityState.Idle:
                    helper.Schedule(endpoints[first].ExitIdle);
                    return PickResult.ForQueue();
                case ConnectivityState.Connecting:
                    return PickResult.ForQueue();
            }

            // The key's endpoint failed: fall forward along the ring to the next READY endpoint.
            for (var step = 1; step < ring.Count; step++)
            {
                var index = ring.EndpointAt(start + step);
                if (children[index].State == ConnectivityState.Ready)
                {
                    return children[index].Picker.Pick(context);
                }

                if (children[index].State == ConnectivityState.Idle)
                {
                    helper.Schedule(endpoints[index].ExitIdle);
                }
            }

            return children[first].Picker.Pick(context); // nothing READY: the failure picker says why
        }
    }
}
