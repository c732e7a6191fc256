using System.Buffers.Binary;

namespace Proxyless.Transport;

/// <summary>
/// Follows one direction of an HTTP/2 connection as a byte stream, however the bytes are split across reads or
/// writes: skips the client connection preface (outbound only), then reads each 9-byte frame header and skips its
/// payload, collecting the payload's first 8 bytes for PING and GOAWAY. Reports every frame once, in order.
/// Not thread-safe: one direction has one reader (or one writer) at a time.
/// </summary>
internal sealed class Http2FrameScanner(int prefaceLength)
{
    public const int FrameHeaderLength = 9;

    /// <summary>The client connection preface, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".</summary>
    public const int ClientPrefaceLength = 24;

    private readonly byte[] _header = new byte[FrameHeaderLength];
    private int _prefaceRemaining = prefaceLength;
    private int _headerFilled;
    private int _payloadRemaining;
    private int _prefixWanted;
    private int _prefixFilled;
    private ulong _prefix;

    /// <summary>True between frames: the next byte, if any, starts a frame header.</summary>
    public bool AtFrameBoundary => _prefaceRemaining == 0 && _headerFilled == 0 && _payloadRemaining == 0 && _prefixWanted == 0;

    /// <summary>Consumes bytes and reports each frame whose header (and wanted prefix) is complete.</summary>
    /// <typeparam name="TObserver">The observer type (a struct or sealed class, so the call is direct).</typeparam>
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

            if (_prefixWanted > 0)
            {
                var take = Math.Min(_prefixWanted - _prefixFilled, data.Length);
                foreach (var b in data[..take])
                {
                    _prefix = (_prefix << 8) | b;
                }

                _prefixFilled += take;
                _payloadRemaining -= take;
                data = data[take..];
                if (_prefixFilled == _prefixWanted)
                {
                    _prefixWanted = 0;
                    observer.OnFrame(Current(_prefix));
                }

                continue;
            }

            if (_payloadRemaining > 0)
            {
                var skip = Math.Min(_payloadRemaining, data.Length);
                _payloadRemaining -= skip;
                data = data[skip..];
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
            var type = _header[3];
            if ((type == Http2Frame.Ping || type == Http2Frame.GoAway) && _payloadRemaining >= 8)
            {
                _prefixWanted = 8;
                _prefixFilled = 0;
                _prefix = 0;
            }
            else
            {
                observer.OnFrame(Current(0));
            }
        }
    }

    private Http2Frame Current(ulong prefix)
        => new(_header[3], _header[4], BinaryPrimitives.ReadInt32BigEndian(_header.AsSpan(5)) & 0x7FFF_FFFF, prefix);
}
