using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Proxyless.Tests.Support;

/// <summary>
/// A minimal HTTP/2 server on loopback that accepts connections (SETTINGS, PING answered) and refuses every stream with
/// RST_STREAM REFUSED_STREAM: a backend no call ever reaches, which is what a transparent retry is for.
/// </summary>
internal sealed class RefusingHttp2Server : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Socket> _sockets = [];
    private readonly Task _acceptLoop;
    private int _refused;

    public RefusingHttp2Server()
    {
        _listener.Start();
        _acceptLoop = AcceptLoopAsync();
    }

    /// <summary>The server's <c>host:port</c>.</summary>
    public string Address => $"127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    /// <summary>Streams refused so far.</summary>
    public int Refused => Volatile.Read(ref _refused);

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        lock (_sockets)
        {
            _sockets.ForEach(s => s.Dispose());
        }

        await _acceptLoop.ConfigureAwait(false);
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }

            lock (_sockets)
            {
                _sockets.Add(socket);
            }

            _ = ServeAsync(socket);
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        try
        {
            await using var stream = new NetworkStream(socket, ownsSocket: true);
            await ReadExactlyAsync(stream, new byte[24]); // the client preface
            await WriteFrameAsync(stream, type: 4, flags: 0, streamId: 0, []); // our SETTINGS
            var header = new byte[9];
            while (true)
            {
                await ReadExactlyAsync(stream, header);
                var length = (header[0] << 16) | (header[1] << 8) | header[2];
                var (type, flags) = (header[3], header[4]);
                var streamId = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(5)) & int.MaxValue;
                var payload = new byte[length];
                await ReadExactlyAsync(stream, payload);
                switch (type)
                {
                    case 4 when (flags & 1) == 0: // SETTINGS: acknowledge
                        await WriteFrameAsync(stream, 4, 1, 0, []);
                        break;
                    case 6 when (flags & 1) == 0: // PING: answer
                        await WriteFrameAsync(stream, 6, 1, 0, payload);
                        break;
                    case 1: // HEADERS: refuse the stream
                        var code = new byte[4];
                        BinaryPrimitives.WriteInt32BigEndian(code, 0x7);
                        Interlocked.Increment(ref _refused);
                        await WriteFrameAsync(stream, 3, 0, streamId, code);
                        break;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The client went away or the server stopped.
        }
    }

    private async Task ReadExactlyAsync(Stream stream, byte[] buffer) => await stream.ReadExactlyAsync(buffer, _stop.Token).ConfigureAwait(false);

    private async Task WriteFrameAsync(Stream stream, byte type, byte flags, int streamId, byte[] payload)
        => await stream.WriteAsync(Http2Frames.Create(type, flags, streamId, payload), _stop.Token).ConfigureAwait(false);
}
