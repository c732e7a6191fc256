using System.Globalization;

namespace Proxyless.Xds.Policies;

/// <summary>
/// gRFC A31's cap on a call's timeout: the request's <c>grpc-timeout</c> header becomes the shorter of the
/// application's deadline and the route's max stream duration, so the server ends the call with DEADLINE_EXCEEDED when
/// the route's limit passes. The header's form is gRPC's: up to 8 digits and a unit (H, M, S, m, u, n).
/// </summary>
internal static class GrpcTimeout
{
    private const string Header = "grpc-timeout";

    /// <summary>Caps the request's timeout at <paramref name="limit"/> (a positive duration).</summary>
    public static void Cap(HttpRequestMessage request, TimeSpan limit)
    {
        if (request.Headers.NonValidated.TryGetValues(Header, out var values) && Parse(values.ToString()) is { } current && current <= limit)
        {
            return; // the application's deadline is already the shorter
        }

        request.Headers.Remove(Header);
        request.Headers.TryAddWithoutValidation(Header, Format(limit));
    }

    /// <summary>Reads a <c>grpc-timeout</c> value; null when it is malformed.</summary>
    public static TimeSpan? Parse(string value)
    {
        if (value.Length is < 2 or > 9 || !long.TryParse(value.AsSpan(0, value.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var amount))
        {
            return null;
        }

        return value[^1] switch
        {
            'H' => TimeSpan.FromHours(amount),
            'M' => TimeSpan.FromMinutes(amount),
            'S' => TimeSpan.FromSeconds(amount),
            'm' => TimeSpan.FromMilliseconds(amount),
            'u' => TimeSpan.FromTicks(amount * 10),
            'n' => TimeSpan.FromTicks(amount / 100),
            _ => null,
        };
    }

    /// <summary>Writes a duration as a <c>grpc-timeout</c> value, in the finest unit that fits 8 digits (rounded up).</summary>
    public static string Format(TimeSpan duration)
    {
        var ms = (long)Math.Ceiling(duration.TotalMilliseconds);
        if (ms <= 99_999_999)
        {
            return ms.ToString(CultureInfo.InvariantCulture) + "m";
        }

        var seconds = (long)Math.Ceiling(duration.TotalSeconds);
        return seconds <= 99_999_999 ? seconds.ToString(CultureInfo.InvariantCulture) + "S" : Math.Min(99_999_999, (long)Math.Ceiling(duration.TotalHours)).ToString(CultureInfo.InvariantCulture) + "H";
    }
}
