using System.Net.Sockets;

namespace Proxyless.Resolution;

/// <summary>The <c>unix:</c> scheme: <c>unix:relative/path</c>, <c>unix:/absolute/path</c> or <c>unix:///absolute/path</c>.</summary>
public sealed class UnixResolverProvider : ResolverProvider
{
    /// <inheritdoc />
    public override string Scheme => "unix";

    /// <inheritdoc />
    public override string GetDefaultAuthority(ResolverTarget target) => "localhost";

    /// <inheritdoc />
    public override Resolver CreateResolver(ResolverTarget target, ResolverOptions options)
    {
        if (target.Authority.Length != 0)
        {
            throw new ArgumentException($"Target '{target}': a unix target takes no authority; write 'unix:/absolute/path' or 'unix:///absolute/path'.");
        }

        // unix:///tmp/x parses as authority "" and endpoint "tmp/x": the path is absolute.
        var path = target.Original.StartsWith("unix://", StringComparison.OrdinalIgnoreCase) ? "/" + target.Endpoint : target.Endpoint;
        if (path.Length == 0 || path == "/")
        {
            throw new ArgumentException($"Target '{target}' has no socket path.");
        }

        var address = new BackendAddress(new UnixDomainSocketEndPoint(path));
        return new FixedResolver(ResolverResult.ForEndpoints([new BackendEndpoint(address)]));
    }
}
