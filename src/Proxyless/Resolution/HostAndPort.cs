using System.Globalization;

namespace Proxyless.Resolution;

/// <summary>Splits <c>host:port</c>, <c>[v6]:port</c>, <c>host</c> and bare IPv6 literals, with errors that name the input.</summary>
internal static class HostAndPort
{
    public static (string Host, int Port) Parse(string text, int defaultPort, string what)
    {
        if (string.IsNullOrEmpty(text))
        {
            throw new ArgumentException($"The {what} is empty; expected host:port.");
        }

        string host;
        string? port = null;
        if (text[0] == '[')
        {
            var close = text.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                throw new ArgumentException($"The {what} '{text}' has '[' without a closing ']'.");
            }

            host = text[1..close];
            var after = text[(close + 1)..];
            if (after.Length > 0)
            {
                if (after[0] != ':')
                {
                    throw new ArgumentException($"The {what} '{text}' has unexpected text '{after}' after ']'.");
                }

                port = after[1..];
            }
        }
        else
        {
            var first = text.IndexOf(':', StringComparison.Ordinal);
            var last = text.LastIndexOf(':');
            if (first >= 0 && first == last)
            {
                host = text[..first];
                port = text[(first + 1)..];
            }
            else
            {
                // No colon, or several (a bare IPv6 literal without a port).
                host = text;
            }
        }

        if (host.Length == 0)
        {
            throw new ArgumentException($"The {what} '{text}' has no host.");
        }

        if (port is null)
        {
            return (host, defaultPort);
        }

        if (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var p) || p is < 1 or > 65535)
        {
            throw new ArgumentException($"The {what} '{text}' has port '{port}', which is not a number from 1 to 65535.");
        }

        return (host, p);
    }
}
