using System.Net;
using System.Net.Sockets;
using Grpc.Core;

namespace Proxyless.Resolution;

/// <summary>
/// The <c>dns:</c> scheme (<c>dns:///host:port</c>, or a bare <c>host:port</c>): A and AAAA records, one endpoint per
/// address, re-resolved when the policy asks but no more often than every <see cref="MinRefreshInterval"/> (30 s), and,
/// when <see cref="RefreshInterval"/> is set, on that interval by itself (so a headless Kubernetes service that gains
/// a pod is used within one interval, without waiting for a connection to fail).
/// IP literals resolve to themselves without a lookup. The same provider also serves grpc-dotnet style
/// <c>http://host:port</c> and <c>https://host:port</c> targets (default ports 80 and 443; https means TLS).
/// </summary>
/// <param name="scheme"><c>dns</c>, <c>http</c> or <c>https</c>.</param>
public sealed class DnsResolverProvider(string scheme = "dns") : ResolverProvider
{
    private bool IsUrl => Scheme is "http" or "https";

    /// <summary>The least time between two lookups.</summary>
    public TimeSpan MinRefreshInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Look the name up again this long after each successful lookup, as grpc-dotnet's <c>DnsResolverFactory</c>
    /// refresh interval does; <see cref="Timeout.InfiniteTimeSpan"/> (the default, as in gRPC) looks up only at start
    /// and when a policy asks (a connection failed or closed). Lookups stay at least <see cref="MinRefreshInterval"/> apart.
    /// </summary>
    public TimeSpan RefreshInterval { get; init; } = Timeout.InfiniteTimeSpan;

    /// <inheritdoc />
    public override string Scheme { get; } = scheme is "dns" or "http" or "https"
        ? scheme
        : throw new ArgumentException($"The DNS resolver serves dns, http and https, not '{scheme}'.", nameof(scheme));

    /// <inheritdoc />
    public override string GetDefaultAuthority(ResolverTarget target) => IsUrl ? target.Authority : target.Endpoint;

    /// <inheritdoc />
    public override Resolver CreateResolver(ResolverTarget target, ResolverOptions options)
    {
        if (IsUrl && target.Endpoint.Length != 0)
        {
            throw new ArgumentException($"Target '{target}' has a path '/{target.Endpoint}'; a channel address is scheme://host:port only.");
        }

        if (!IsUrl && target.Authority.Length != 0)
        {
            throw new ArgumentException($"Target '{target}' names DNS server '{target.Authority}'; choosing a DNS server is not supported, write 'dns:///host:port'.");
        }

        var (host, port) = HostAndPort.Parse(
            IsUrl ? target.Authority : target.Endpoint,
            Scheme == "http" ? 80 : options.DefaultPort,
            $"host in target '{target}'");
        if (Uri.CheckHostName(host) == UriHostNameType.Unknown)
        {
            throw new ArgumentException($"Target '{target}': '{host}' is not a valid host name.");
        }

        return new DnsResolver(host, port, options, MinRefreshInterval, RefreshInterval);
    }

    private sealed class DnsResolver(string host, int port, ResolverOptions options, TimeSpan minInterval, TimeSpan refreshInterval)
        : PollingResolver(options, minInterval, refreshInterval: refreshInterval)
    {
        protected override async Task<ResolverResult> ResolveAsync(CancellationToken cancellationToken)
        {
            IPAddress[] addresses;
            if (IPAddress.TryParse(host, out var literal))
            {
                addresses = [literal];
            }
            else
            {
                try
                {
                    addresses = await System.Net.Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);
                }
                catch (SocketException ex)
                {
                    return ResolverResult.ForFailure(new Status(StatusCode.Unavailable, $"DNS lookup of '{host}' failed: {ex.Message}", ex));
                }
            }

            var endpoints = addresses
                .Where(a => a.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6)
                .Select(a => new BackendEndpoint(new BackendAddress(new IPEndPoint(a, port))))
                .ToArray();
            return endpoints.Length == 0
                ? ResolverResult.ForFailure(new Status(StatusCode.Unavailable, $"DNS lookup of '{host}' returned no IPv4 or IPv6 addresses"))
                : ResolverResult.ForEndpoints(endpoints);
        }
    }
}
