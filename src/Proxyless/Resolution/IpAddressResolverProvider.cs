using System.Net;
using System.Net.Sockets;

namespace Proxyless.Resolution;

/// <summary>
/// The <c>ipv4:</c> and <c>ipv6:</c> schemes: a fixed, comma-separated list of IP literals with optional ports,
/// each its own endpoint (e.g. <c>ipv4:127.0.0.1:50051,127.0.0.1:50052</c>, <c>ipv6:[::1]:50051,[::1]:50052</c>).
/// </summary>
public sealed class IpAddressResolverProvider : ResolverProvider
{
    private readonly AddressFamily _family;

    private IpAddressResolverProvider(string scheme, AddressFamily family)
    {
        Scheme = scheme;
        _family = family;
    }

    /// <summary>The <c>ipv4</c> scheme.</summary>
    public static IpAddressResolverProvider Ipv4 { get; } = new("ipv4", AddressFamily.InterNetwork);

    /// <summary>The <c>ipv6</c> scheme.</summary>
    public static IpAddressResolverProvider Ipv6 { get; } = new("ipv6", AddressFamily.InterNetworkV6);

    /// <inheritdoc />
    public override string Scheme { get; }

    /// <inheritdoc />
    public override string GetDefaultAuthority(ResolverTarget target) => "localhost";

    /// <inheritdoc />
    public override Resolver CreateResolver(ResolverTarget target, ResolverOptions options)
    {
        if (target.Authority.Length != 0)
        {
            throw new ArgumentException($"Target '{target}': the {Scheme} scheme takes no authority; write '{Scheme}:address[:port][,address[:port]...]'.");
        }

        var endpoints = new List<BackendEndpoint>();
        foreach (var part in target.Endpoint.Split(','))
        {
            var item = part.Trim();
            var (host, port) = HostAndPort.Parse(item, options.DefaultPort, $"address in target '{target}'");
            if (!IPAddress.TryParse(host, out var ip) || ip.AddressFamily != _family)
            {
                throw new ArgumentException($"Target '{target}': '{item}' is not an {(_family == AddressFamily.InterNetwork ? "IPv4" : "IPv6")} address.");
            }

            endpoints.Add(new BackendEndpoint(new BackendAddress(new IPEndPoint(ip, port))));
        }

        return new FixedResolver(ResolverResult.ForEndpoints(endpoints));
    }
}
