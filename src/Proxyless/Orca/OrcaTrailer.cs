using System.Net.Http.Headers;

namespace Proxyless.Orca;

/// <summary>
/// The per-call ORCA load report trailer, <c>endpoint-load-metrics-bin</c>: a serialized <see cref="OrcaLoadReport"/>
/// (base64 on the wire, as every <c>-bin</c> metadata value).
/// </summary>
internal static class OrcaTrailer
{
    /// <summary>The trailer name.</summary>
    public const string Name = "endpoint-load-metrics-bin";

    /// <summary>Reads the report from a call's trailers.</summary>
    /// <param name="trailers">The trailers (null when the call had none).</param>
    /// <param name="report">The report when present and well-formed.</param>
    public static bool TryRead(HttpHeaders? trailers, out OrcaLoadReport report)
    {
        report = null!;
        if (trailers is null || !trailers.NonValidated.TryGetValues(Name, out var values))
        {
            return false;
        }

        var text = values.ToString();
        var buffer = new byte[(text.Length * 3 / 4) + 3];
        if (!Convert.TryFromBase64String(PadBase64(text), buffer, out var length))
        {
            return false;
        }

        try
        {
            report = OrcaLoadReport.Parser.ParseFrom(buffer, 0, length);
            return true;
        }
        catch (Google.Protobuf.InvalidProtocolBufferException)
        {
            return false;
        }
    }

    // gRPC allows unpadded base64 in -bin metadata.
    private static string PadBase64(string text) => (text.Length % 4) switch
    {
        2 => text + "==",
        3 => text + "=",
        _ => text,
    };
}
