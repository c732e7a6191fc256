using Microsoft.Extensions.Logging;
using Proxyless.Balancing;

namespace Proxyless.Health;

/// <summary>
/// A subchannel's client-side health check (gRFC A17): a <see cref="HealthWatcher"/> per READY period of the
/// connection, run over the subchannel's own connection (<paramref name="send"/>), and what the policy should see while
/// it runs: READY only while the server says SERVING, CONNECTING before its first answer, TRANSIENT_FAILURE with the
/// reason when not serving. Not thread-safe: the subchannel calls it under its own lock, and is told of answers through
/// <paramref name="changed"/>, which re-enters that lock and calls <see cref="TryRecord"/>.
/// </summary>
/// <param name="baseUri">The channel's base address (requests are sent on the subchannel's connections whatever it says).</param>
/// <param name="send">Sends a request on the subchannel's connections.</param>
/// <param name="peer">The address, for messages.</param>
/// <param name="logger">Logging.</param>
/// <param name="changed">Told (watch, healthy, reason) for every answer of a watch.</param>
internal sealed class SubchannelHealth(
    Uri baseUri,
    Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> send,
    string peer,
    ILogger logger,
    Action<object, bool, Status> changed) : IDisposable
{
    private CancellationTokenSource? _watch;
    private bool _known;
    private SubchannelState _health;
    private Grpc.Net.Client.GrpcChannel? _channel;

    /// <summary>Starts a new watch (ending the previous one): the connection has just become READY.</summary>
    public void Start(string serviceName)
    {
        Stop();
        var watch = new CancellationTokenSource();
        _watch = watch;
        _known = false;
        _channel ??= Grpc.Net.Client.GrpcChannel.ForAddress(baseUri, new Grpc.Net.Client.GrpcChannelOptions
        {
            HttpHandler = new Forwarder(send),
            DisposeHttpClient = true,
        });
        _ = HealthWatcher.RunAsync(_channel.CreateCallInvoker(), serviceName, peer, (healthy, reason) => changed(watch, healthy, reason), logger, watch.Token);
    }

    /// <summary>Ends the watch, if one runs: the connection is no longer READY, or the subchannel shut down.</summary>
    public void Stop()
    {
        _watch?.Cancel();
        _watch = null;
    }

    /// <summary>Records an answer; false when it came from a watch that has since ended. <paramref name="changed"/> when
    /// the answer flips between serving and not serving (or is the first).</summary>
    public bool TryRecord(object watch, bool healthy, Status reason, out bool changed)
    {
        changed = false;
        if (!ReferenceEquals(watch, _watch))
        {
            return false;
        }

        changed = !_known || (_health.State == ConnectivityState.Ready) != healthy;
        _known = true;
        _health = healthy ? new SubchannelState(ConnectivityState.Ready, Status.DefaultSuccess) : new SubchannelState(ConnectivityState.TransientFailure, reason);
        return true;
    }

    /// <summary>What the policy sees, given the connection's own state.</summary>
    public SubchannelState View(SubchannelState connection)
        => connection.State == ConnectivityState.Ready && _watch is not null
            ? _known ? _health : new SubchannelState(ConnectivityState.Connecting, Status.DefaultSuccess)
            : connection;

    /// <inheritdoc />
    public void Dispose() => _channel?.Dispose();

    private sealed class Forwarder(Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> send) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) => send(request, cancellationToken);
    }
}
