using System.Threading.Channels;
using Proxyless.Xds.Client;

namespace Proxyless.Tests.Support;

/// <summary>An xDS watcher that records what it is told, for tests to await in order.</summary>
internal sealed class RecordingXdsWatcher : IXdsWatcher
{
    private readonly Channel<(string Kind, object Value)> _events = Channel.CreateUnbounded<(string, object)>();

    public void OnResourceChanged(object resource) => _events.Writer.TryWrite(("changed", resource));

    public void OnResourceError(string error) => _events.Writer.TryWrite(("error", error));

    public void OnAmbientError(string error) => _events.Writer.TryWrite(("ambient", error));

    /// <summary>The next event, within 10 s.</summary>
    public async Task<(string Kind, object Value)> NextAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return await _events.Reader.ReadAsync(timeout.Token);
    }

    /// <summary>The next resource delivered, of type <typeparamref name="T"/>; fails on any other event.</summary>
    public async Task<T> NextResourceAsync<T>()
    {
        var (kind, value) = await NextAsync();
        Assert.True(kind == "changed", $"expected a resource, got {kind}: {value}");
        return Assert.IsType<T>(value);
    }

    /// <summary>The next event, which must be of <paramref name="kind"/>; returns its message.</summary>
    public async Task<string> NextErrorAsync(string kind)
    {
        var (got, value) = await NextAsync();
        Assert.True(got == kind, $"expected {kind}, got {got}: {value}");
        return (string)value;
    }

    /// <summary>True when nothing has been reported since the last read.</summary>
    public bool IsQuiet => !_events.Reader.TryPeek(out _);
}
