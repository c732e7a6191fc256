using System.Buffers.Binary;
using Microsoft.Extensions.Time.Testing;
using Proxyless.Tests.Support;
using Proxyless.Transport;

namespace Proxyless.Tests.Unit.Transport;

// These tests make single reads on purpose: what one read returns (a whole GOAWAY, zero bytes, an error) is the point.
#pragma warning disable CA2022

public class ConnectionStreamTests
{
    private static readonly byte[] ClientPreface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray();

    private static byte[] Frame(byte type, byte flags, int streamId, byte[] payload) => Http2Frames.Create(type, flags, streamId, payload);

    private static byte[] Settings(bool ack = false) => Frame(0x4, (byte)(ack ? 1 : 0), 0, ack ? [] : new byte[6]);

    private static byte[] Headers(int streamId) => Frame(0x1, 0x4, streamId, new byte[20]);

    private static byte[] Data(int streamId, int length) => Frame(0x0, 0, streamId, new byte[length]);

    private static byte[] Ping(long payload, bool ack = false)
    {
        var body = new byte[8];
        BinaryPrimitives.WriteInt64BigEndian(body, payload);
        return Frame(0x6, (byte)(ack ? 1 : 0), 0, body);
    }

    private static byte[] GoAway(int lastStreamId, uint error)
    {
        var body = new byte[8];
        BinaryPrimitives.WriteInt32BigEndian(body, lastStreamId);
        BinaryPrimitives.WriteUInt32BigEndian(body.AsSpan(4), error);
        return Frame(0x7, 0, 0, body);
    }

    private static (int LastStreamId, uint Error) ReadGoAway(byte[] bytes)
    {
        Assert.Equal(17, bytes.Length);
        Assert.Equal(0x7, bytes[3]);
        return (BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(9)), BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(13)));
    }

    private static async Task<byte[]> ReadExactlyAsync(Stream stream, int count)
    {
        var buffer = new byte[count];
        var read = 0;
        while (read < count)
        {
            var n = await stream.ReadAsync(buffer.AsMemory(read));
            Assert.NotEqual(0, n);
            read += n;
        }

        return buffer;
    }

    private static async Task<ConnectionStream> EstablishedAsync(ScriptedStream inner, Owner owner, TimeProvider? time = null, TimeSpan? keepAlive = null)
    {
        var connection = new ConnectionStream(inner, owner, "127.0.0.1:1", time ?? TimeProvider.System, keepAlive ?? Timeout.InfiniteTimeSpan);
        await connection.WriteAsync(ClientPreface.Concat(Settings()).ToArray());
        inner.Feed(Settings().Concat(Settings(ack: true)).ToArray());
        await ReadExactlyAsync(connection, 15);
        await ReadExactlyAsync(connection, 9); // the read after the SETTINGS frame tells the owner
        Assert.Equal("settings", owner.Events[0]);
        return connection;
    }

    [Fact]
    public async Task SettingsAndGoAwayAreToldOnceSocketsHttpHandlerAsksForMoreDataAfterThem()
    {
        var inner = new ScriptedStream();
        var owner = new Owner();
        var connection = new ConnectionStream(inner, owner, "127.0.0.1:1", TimeProvider.System, Timeout.InfiniteTimeSpan);
        Assert.False(connection.IsEstablished);

        // Bytes split anywhere, even one at a time, are followed correctly; the frame is told only after its last byte
        // was handed over and the next read began (SocketsHttpHandler reads again only after handling whole frames).
        var settings = Settings();
        foreach (var b in settings)
        {
            Assert.Empty(owner.Events);
            inner.Feed([b]);
            await ReadExactlyAsync(connection, 1);
        }

        Assert.True(connection.IsEstablished);
        Assert.Empty(owner.Events);
        var next = connection.ReadAsync(new byte[64]).AsTask();
        Assert.Equal(["settings"], owner.Events);

        inner.Feed(GoAway(7, 0));
        Assert.Equal(17, await next);
        Assert.False(connection.IsUsable);
        Assert.Equal(["settings"], owner.Events);
        next = connection.ReadAsync(new byte[64]).AsTask();
        Assert.Equal(["settings", "goaway: the server sent GOAWAY"], owner.Events);
        inner.Feed(Settings(ack: true));
        Assert.Equal(9, await next);
    }

    // Reads whole frames until the farewell is over, then checks that the next read waits for the disposal.
    private static async Task<List<string>> ReadFarewellAsync(ConnectionStream connection, int frames)
    {
        var seen = new List<string>();
        for (var i = 0; i < frames; i++)
        {
            var header = await ReadExactlyAsync(connection, 9);
            var length = (header[0] << 16) | (header[1] << 8) | header[2];
            var payload = await ReadExactlyAsync(connection, length);
            var stream = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(5));
            seen.Add(header[3] switch
            {
                0x7 => $"GOAWAY last={BinaryPrimitives.ReadInt32BigEndian(payload)} error={BinaryPrimitives.ReadUInt32BigEndian(payload.AsSpan(4))}",
                0x3 => $"RST_STREAM {stream} error={BinaryPrimitives.ReadUInt32BigEndian(payload):X}",
                _ => $"frame type {header[3]}",
            });
        }

        // After the farewell the connection says nothing more (no end of stream) until SocketsHttpHandler disposes it:
        // the read does not complete with a result, it fails when the connection is disposed.
        var after = connection.ReadAsync(new byte[64]).AsTask();
        Assert.False(after.IsCompleted);
        connection.Dispose();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => after);
        return seen;
    }

    [Fact]
    public async Task WhenTheServerClosesWrittenStreamsAreResetAndTheRestRefusedNeverAborted()
    {
        var inner = new ScriptedStream();
        var owner = new Owner();
        var connection = await EstablishedAsync(inner, owner);
        await connection.WriteAsync(Headers(1).Concat(Data(1, 10)).Concat(Headers(3)).Concat(Headers(5)).ToArray());
        inner.Feed(Frame(0x1, 0x5, 5, new byte[4])); // stream 5's response ended: nothing to fail for it
        await ReadExactlyAsync(connection, 13);

        inner.FeedEndOfStream();
        Assert.Equal(0, await connection.ReadAsync(Memory<byte>.Empty)); // a zero-byte read only says "readable"
        Assert.Equal(["settings"], owner.Events);
        var farewell = await ReadFarewellAsync(connection, 3);
        Assert.Equal(["GOAWAY last=5 error=0", "RST_STREAM 1 error=70786C73", "RST_STREAM 3 error=70786C73"], farewell);
        Assert.Equal(["settings", "closed: the server closed the connection"], owner.Events); // told before the frames
    }

    [Fact]
    public async Task AFailedWriteIsNotReportedToTheWriterAndItsStreamsAreAboveTheGoAway()
    {
        var inner = new ScriptedStream();
        var owner = new Owner();
        var connection = await EstablishedAsync(inner, owner);
        await connection.WriteAsync(Headers(1));
        var header = new byte[9];
        var pendingRead = connection.ReadAsync(header).AsTask();

        inner.FailWrites = true;
        await connection.WriteAsync(Headers(3).Concat(Headers(5)).ToArray()); // swallowed: the peer is gone
        await connection.WriteAsync(Headers(7));                            // discarded
        Assert.False(inner.Disposed, "the socket stays open: the read side first reads what the server sent before closing");
        inner.FeedEndOfStream(); // the peer's close ends that read at once

        // The read that was waiting begins the farewell: GOAWAY naming stream 1 (3, 5 and 7 never left), then stream 1
        // is reset as lost.
        Assert.Equal(9, await pendingRead);
        Assert.Equal(0x7, header[3]);
        Assert.Equal(1, BinaryPrimitives.ReadInt32BigEndian(await ReadExactlyAsync(connection, 8)));
        Assert.Equal(["RST_STREAM 1 error=70786C73"], await ReadFarewellAsync(connection, 1));
        Assert.Contains(owner.Events, e => e.StartsWith("closed: writing to the connection failed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AfterAFailedWriteTheServersGoAwayStillInTheReceiveBufferDecidesWhichStreamsAreReset()
    {
        // A server stopping gracefully sent GOAWAY (last stream 1) and closed; our next write fails before the read
        // side has seen the GOAWAY. Stream 3 was written after the server stopped accepting: refused, not lost.
        var inner = new ScriptedStream();
        var owner = new Owner();
        var connection = await EstablishedAsync(inner, owner);
        await connection.WriteAsync(Headers(1).Concat(Headers(3)).ToArray());
        inner.FailWrites = true;
        await connection.WriteAsync(Headers(5));
        inner.Feed(GoAway(1, 0));
        inner.FeedEndOfStream();

        await ReadExactlyAsync(connection, 17); // the server's GOAWAY, passed through
        Assert.Equal(["RST_STREAM 1 error=70786C73"], await ReadFarewellAsync(connection, 1));
        Assert.Contains(owner.Events, e => e.StartsWith("closed: writing to the connection failed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AfterTheServersOwnGoAwayOnlyStreamsItAcceptedAreReset()
    {
        var inner = new ScriptedStream();
        var owner = new Owner();
        var connection = await EstablishedAsync(inner, owner);
        await connection.WriteAsync(Headers(1).Concat(Headers(3)).ToArray());
        inner.Feed(GoAway(1, 0));
        await ReadExactlyAsync(connection, 17);
        Assert.False(connection.IsUsable);

        inner.FeedError(new IOException("Connection reset by peer"));
        Assert.Equal(["RST_STREAM 1 error=70786C73"], await ReadFarewellAsync(connection, 1)); // 3 was refused by the server
        Assert.Contains("closed: the connection broke: Connection reset by peer", owner.Events);
    }

    [Fact]
    public async Task BeforeTheServersSettingsOrInsideAFrameTheErrorComesWithoutFarewell()
    {
        var inner = new ScriptedStream();
        var owner = new Owner();
        var fresh = new ConnectionStream(inner, owner, "127.0.0.1:1", TimeProvider.System, Timeout.InfiniteTimeSpan);
        inner.FeedEndOfStream();
        await Assert.ThrowsAsync<IOException>(async () => await fresh.ReadAsync(new byte[64]));

        var inner2 = new ScriptedStream();
        var connection = await EstablishedAsync(inner2, new Owner());
        var partial = Data(1, 100);
        inner2.Feed(partial[..50]);
        await ReadExactlyAsync(connection, 50);
        inner2.FeedError(new IOException("Connection reset by peer"));
        var error = await Assert.ThrowsAsync<IOException>(async () => await connection.ReadAsync(new byte[64]));
        Assert.Equal("connection to 127.0.0.1:1 lost: the connection broke: Connection reset by peer", error.Message);
    }

    [Fact]
    public async Task AnUnansweredKeepAlivePingKillsTheConnectionAfterTheTimeout()
    {
        var time = new FakeTimeProvider();
        var inner = new ScriptedStream();
        var owner = new Owner();
        var connection = await EstablishedAsync(inner, owner, time, TimeSpan.FromSeconds(1));

        // Answered in time: nothing happens.
        await connection.WriteAsync(Ping(1));
        time.Advance(TimeSpan.FromMilliseconds(900));
        inner.Feed(Ping(1, ack: true));
        await ReadExactlyAsync(connection, 17);
        time.Advance(TimeSpan.FromSeconds(5));
        Assert.True(connection.IsUsable);

        // RTT pings (negative payloads) are not keepalive pings; an unanswered keepalive ping kills the connection.
        await connection.WriteAsync(Ping(-5));
        time.Advance(TimeSpan.FromSeconds(5));
        Assert.True(connection.IsUsable);
        await connection.WriteAsync(Headers(1));
        await connection.WriteAsync(Ping(2));
        time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.True(connection.IsUsable);
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.False(connection.IsUsable);
        Assert.Contains("closed: no reply to a keepalive ping within 1s", owner.Events);
        Assert.Equal(["GOAWAY last=1 error=0", "RST_STREAM 1 error=70786C73"], await ReadFarewellAsync(connection, 2));
    }

    [Fact]
    public async Task DisposingReportsTheConnectionClosedOnce()
    {
        var inner = new ScriptedStream();
        var owner = new Owner();
        var connection = await EstablishedAsync(inner, owner);
        connection.Dispose();
        connection.Dispose();
        Assert.Equal(["settings", "closed: the connection was closed by the client"], owner.Events);
        Assert.True(inner.Disposed);
    }

    private sealed class Owner : IConnectionOwner
    {
        private readonly List<string> _events = [];

        public IReadOnlyList<string> Events
        {
            get
            {
                lock (_events)
                {
                    return [.. _events];
                }
            }
        }

        public void OnSettingsReceived(ConnectionStream connection) => Add("settings");

        public void OnGoAway(ConnectionStream connection, ConnectionEnd end) => Add("goaway: " + end.Reason);

        public void OnClosed(ConnectionStream connection, ConnectionEnd end) => Add("closed: " + end.Reason);

        private void Add(string e)
        {
            lock (_events)
            {
                _events.Add(e);
            }
        }
    }
}
