namespace Proxyless.Xds.ControlPlane;

/// <summary>What the control plane's streams share: the resources, the replies received, the count of open streams.</summary>
internal sealed class ControlPlaneState
{
    private readonly Lock _gate = new();
    private readonly List<XdsClientReply> _replies = [];
    private readonly List<(Func<XdsClientReply, bool> Match, TaskCompletionSource<XdsClientReply> Done)> _waiters = [];
    private int _streams;

    public ResourceStore Store { get; } = new();

    /// <summary>Cancelled when the control plane stops, so open streams end at once instead of holding up shutdown.</summary>
    public CancellationTokenSource Stopping { get; } = new();

    public int OpenStreams => Volatile.Read(ref _streams);

    /// <summary>Raised to send a response as it is to every open stream (tests: a type no client asked for).</summary>
    public event Action<Envoy.Service.Discovery.V3.DiscoveryResponse>? Injected;

    public void Inject(Envoy.Service.Discovery.V3.DiscoveryResponse response) => Injected?.Invoke(response);

    public IReadOnlyList<XdsClientReply> Replies
    {
        get
        {
            lock (_gate)
            {
                return _replies.ToArray();
            }
        }
    }

    public int OnStreamOpened() => Interlocked.Increment(ref _streams);

    public void OnStreamClosed() => Interlocked.Decrement(ref _streams);

    public void Record(XdsClientReply reply)
    {
        List<TaskCompletionSource<XdsClientReply>> done = [];
        lock (_gate)
        {
            _replies.Add(reply);
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Match(reply))
                {
                    done.Add(_waiters[i].Done);
                    _waiters.RemoveAt(i);
                }
            }
        }

        foreach (var tcs in done)
        {
            tcs.TrySetResult(reply);
        }
    }

    public async Task<XdsClientReply> WaitForReplyAsync(Func<XdsClientReply, bool> match, CancellationToken cancellationToken)
    {
        var tcs = new TaskCompletionSource<XdsClientReply>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (_replies.FirstOrDefault(match) is { } existing)
            {
                return existing;
            }

            _waiters.Add((match, tcs));
        }

        using (cancellationToken.Register(() => tcs.TrySetCanceled(cancellationToken)))
        {
            return await tcs.Task.ConfigureAwait(false);
        }
    }
}
