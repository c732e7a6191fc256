using System.Buffers.Binary;

namespace Proxyless.Transport;

/// <summary>
/// Follows one direction of an HTTP/2 connection as a byte stream, however the bytes are split across reads or
/// writes: skips the client connection preface (outbound only), then reads each 9-byte frame header and skips its
/// payload, collecting the payload's first 8 bytes for PING and GOAWAY. Reports every frame once, in order, as soon
/// as its header (and that prefix) is in, and counts frames whose last byte has gone by.
/// Not thread-safe: one direction has one reader (or one writer) at a time.
/// </summary>
internal sealed class Http2FrameScanner(int prefaceLength)
{
    public const int FrameHeaderLength = 9;

    /// <summary>The client connection preface, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".</summary>
    public const int ClientPrefaceLength = 24;

    private const int PrefixLength = 8;

    private readonly byte[] _header = new byte[FrameHeaderLength];
    private int _prefaceRemaining = prefaceLength;
    private int _headerFilled;
    private int _payloadRemaining;
    private int _prefixWanted;
    private int _prefixFilled;
    private ulong _prefix;

    /// <summary>True between frames: the next byte, if any, starts a frame header.</summary>
    public bool AtFrameBoundary => _prefaceRemaining == 0 && _headerFilled == 0 && _payloadRemaining == 0;

    /// <summary>Frames whose header has been seen (the ordinal of the latest frame reported).</summary>
    public long FramesStarted { get; private set; }

    /// <summary>Frames whose whole payload has been seen.</summary>
    public long FramesCompleted { get; private set; }

    /// <summary>Consumes bytes and reports each frame whose header (and wanted prefix) is complete.</summary>
    /// <typeparam name="TObserver">The observer type (a struct, so the call is direct).</typeparam>
    public void Scan<TObserver>(ReadOnlySpan<byte> data, ref TObserver observer)
        where TObserver : IHttp2FrameObserver
    {
        while (!data.IsEmpty)
        {
            if (_prefaceRemaining > 0)
            {
                var skip = Math.Min(_prefaceRemaining, data.Length);
                _prefaceRemaining -= skip;
                data = data[skip..];
                continue;
            }

            if (_payloadRemaining > 0)
            {
                var take = Math.Min(_payloadRemaining, data.Length);
                if (_prefixWanted > 0)
                {
                    take = Math.Min(take, _prefixWanted - _prefixFilled);
                    foreach (var b in data[..take])
                    {
                        _prefix = (_prefix << 8) | b;
                    }

                    _prefixFilled += take;
                    if (_prefixFilled == _prefixWanted)
                    {
                        _prefixWanted = 0;
                        observer.OnFrame(Current(_prefix));
                    }
                }

                _payloadRemaining -= take;
                data = data[take..];
                if (_payloadRemaining == 0)
                {
                    FramesCompleted++;
                }

                continue;
            }

            var headerTake = Math.Min(FrameHeaderLength - _headerFilled, data.Length);
            data[..headerTake].CopyTo(_header.AsSpan(_headerFilled));
            _headerFilled += headerTake;
            data = data[headerTake..];
            if (_headerFilled < FrameHeaderLength)
            {
                return;
            }

            _headerFilled = 0;
            _payloadRemaining = (_header[0] << 16) | (_header[1] << 8) | _header[2];
            FramesStarted++;
            var type = _header[3];
            if ((type == Http2Frame.Ping || type == Http2Frame.GoAway) && _payloadRemaining >= PrefixLength)
            {
                _prefixWanted = PrefixLength;
                _prefixFilled = 0;
                _prefix = 0;
            }
            else
            {
                observer.OnFrame(Current(0));
                if (_payloadRemaining == 0)
                {
                    FramesCompleted++;
                }
            }
        }
    }

    private Http2Frame Current(ulong prefix)
        => new(_header[3], _header[4], BinaryPrimitives.ReadInt32BigEndian(_header.AsSpan(5)) & 0x7FFF_FFFF, prefix);
}
