using System.Net;

namespace Proxyless.Discovery;

/// <summary>Parses the <c>host:port</c> strings registries store into endpoints.</summary>
internal static class RegistryAddress
{
    /// <summary>Parses <c>127.0.0.1:5001</c>, <c>[::1]:5001</c> or <c>host:5001</c>.</summary>
    /// <param name="text">The address text.</param>
    /// <param name="endPoint">An <see cref="IPEndPoint"/> or <see cref="DnsEndPoint"/>.</param>
    public static bool TryParse(string text, out EndPoint endPoint)
    {
        endPoint = null!;
        try
        {
            var (host, port) = Resolution.HostAndPort.Parse(text, defaultPort: 0, "registry address");
            if (port == 0)
            {
                return false;
            }

            endPoint = IPAddress.TryParse(host, out var ip) ? new IPEndPoint(ip, port) : new DnsEndPoint(host, port);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>Formats an endpoint as a registry address.</summary>
    /// <param name="endPoint">The endpoint.</param>
    public static string Format(IPEndPoint endPoint)
        => endPoint.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{endPoint.Address}]:{endPoint.Port}" : $"{endPoint.Address}:{endPoint.Port}";
}
