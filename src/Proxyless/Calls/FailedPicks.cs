using Proxyless.Transport;

namespace Proxyless.Calls;

/// <summary>
/// The subchannels one call has found unusable (not READY, or the call never reached the server on them) under the
/// picker in force at the time. A newer picker starts afresh: it reflects what the policy has learned since.
/// </summary>
internal sealed class FailedPicks
{
    private readonly List<HttpSubchannel> _subchannels = [];
    private PickerSnapshot? _snapshot;

    public FailedPicks()
    {
    }

    public FailedPicks(PickerSnapshot snapshot, HttpSubchannel subchannel) => Add(snapshot, subchannel);

    public bool Contains(PickerSnapshot snapshot, HttpSubchannel subchannel) => snapshot == _snapshot && _subchannels.Contains(subchannel);

    public void Add(PickerSnapshot snapshot, HttpSubchannel subchannel)
    {
        if (snapshot != _snapshot)
        {
            _snapshot = snapshot;
            _subchannels.Clear();
        }

        _subchannels.Add(subchannel);
    }
}
