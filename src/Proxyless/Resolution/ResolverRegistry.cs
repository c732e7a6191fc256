using System.Collections.Concurrent;

namespace Proxyless.Resolution;

/// <summary>
/// Resolver providers by scheme, and the target parser that uses them. <see cref="CreateDefault"/> holds
/// <c>dns</c> (also <c>http</c>/<c>https</c> URLs), <c>ipv4</c>, <c>ipv6</c> and <c>unix</c>; add your own with
/// <see cref="Register"/>.
/// </summary>
public sealed class ResolverRegistry
{
    private readonly ConcurrentDictionary<string, ResolverProvider> _providers = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>A registry with the built-in resolvers.</summary>
    public static ResolverRegistry CreateDefault()
    {
        var registry = new ResolverRegistry();
        registry.Register(new DnsResolverProvider());
        registry.Register(new DnsResolverProvider("http"));
        registry.Register(new DnsResolverProvider("https"));
        registry.Register(IpAddressResolverProvider.Ipv4);
        registry.Register(IpAddressResolverProvider.Ipv6);
        registry.Register(new UnixResolverProvider());
        OptionalPackages.AddTo(registry);
        return registry;
    }

    /// <summary>Adds or replaces the provider for its scheme.</summary>
    /// <param name="provider">The provider.</param>
    /// <returns>This registry.</returns>
    public ResolverRegistry Register(ResolverProvider provider)
    {
        ArgumentNullException.ThrowIfNull(provider);
        if (!IsValidScheme(provider.Scheme))
        {
            throw new ArgumentException($"'{provider.Scheme}' is not a valid URI scheme.", nameof(provider));
        }

        _providers[provider.Scheme] = provider;
        return this;
    }

    /// <summary>Looks a provider up by scheme.</summary>
    /// <param name="scheme">The scheme.</param>
    /// <param name="provider">The provider.</param>
    public bool TryGet(string scheme, out ResolverProvider provider) => _providers.TryGetValue(scheme, out provider!);

    /// <summary>The registered schemes.</summary>
    public IReadOnlyCollection<string> Schemes => _providers.Keys.Order(StringComparer.Ordinal).ToArray();

    /// <summary>
    /// Parses a target as gRPC does: a registered scheme followed by <c>:</c>, with an optional <c>//authority/</c>;
    /// anything else (such as <c>localhost:50051</c> or <c>10.0.0.1:443</c>) is a DNS name.
    /// </summary>
    /// <param name="target">The target string.</param>
    /// <returns>The parsed target and its provider.</returns>
    /// <exception cref="ArgumentException">The target is empty or names an unknown scheme.</exception>
    public (ResolverTarget Target, ResolverProvider Provider) Parse(string target)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (string.IsNullOrWhiteSpace(target))
        {
            throw new ArgumentException("The target is empty; expected e.g. 'dns:///host:port', 'ipv4:127.0.0.1:50051' or 'host:port'.", nameof(target));
        }

        var colon = target.IndexOf(':', StringComparison.Ordinal);
        if (colon > 0 && IsValidScheme(target[..colon]))
        {
            var scheme = target[..colon];
            if (_providers.TryGetValue(scheme, out var provider))
            {
                return (Split(scheme.ToLowerInvariant(), target[(colon + 1)..], target), provider);
            }

            if (target.AsSpan(colon + 1).StartsWith("//"))
            {
                throw new ArgumentException(
                    $"Target '{target}' uses scheme '{scheme}', which has no registered resolver (registered: {string.Join(", ", Schemes)})"
                    + (scheme.Equals("xds", StringComparison.OrdinalIgnoreCase) ? "; xds: targets need the Proxyless.Xds package." : "."),
                    nameof(target));
            }
        }

        // No registered scheme: the whole string is a DNS name, as with grpc-go's default scheme.
        if (!_providers.TryGetValue("dns", out var dns))
        {
            throw new ArgumentException($"Target '{target}' has no scheme and no 'dns' resolver is registered.", nameof(target));
        }

        return (new ResolverTarget("dns", "", target, target), dns);
    }

    private static ResolverTarget Split(string scheme, string rest, string original)
    {
        if (rest.StartsWith("//", StringComparison.Ordinal))
        {
            var slash = rest.IndexOf('/', 2);
            return slash < 0
                ? new ResolverTarget(scheme, rest[2..], "", original)
                : new ResolverTarget(scheme, rest[2..slash], rest[(slash + 1)..], original);
        }

        return new ResolverTarget(scheme, "", rest, original);
    }

    private static bool IsValidScheme(string scheme)
    {
        if (scheme.Length == 0 || !char.IsAsciiLetter(scheme[0]))
        {
            return false;
        }

        foreach (var c in scheme)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('+' or '-' or '.'))
            {
                return false;
            }
        }

        return true;
    }
}
