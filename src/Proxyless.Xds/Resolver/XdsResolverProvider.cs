using Proxyless.Resolution;
using Proxyless.Xds.Bootstrap;

namespace Proxyless.Xds.Resolver;

/// <summary>
/// The <c>xds</c> scheme: <c>xds:///NAME</c> (the default authority) or <c>xds://AUTHORITY/NAME</c> (gRFC A47). The
/// bootstrap is the one given, or else read from <c>GRPC_XDS_BOOTSTRAP</c> / <c>GRPC_XDS_BOOTSTRAP_CONFIG</c> when a
/// channel is created; a bad bootstrap fails that creation with an <see cref="XdsBootstrapException"/> naming the field.
/// </summary>
internal sealed class XdsResolverProvider(XdsBootstrap? bootstrap = null) : ResolverProvider
{
    public override string Scheme => "xds";

    public override Proxyless.Resolution.Resolver CreateResolver(ResolverTarget target, ResolverOptions options)
    {
        if (target.Endpoint.Length == 0)
        {
            throw new ArgumentException($"Target '{target.Original}' names no service; expected xds:///NAME.", nameof(target));
        }

        var config = bootstrap ?? XdsBootstrap.FromEnvironment(Environment.GetEnvironmentVariable, File.ReadAllText);
        return new XdsResolver(target, config, options);
    }
}
