using Proxyless.Balancing;
using Proxyless.Resolution;
using Proxyless.Xds.Bootstrap;
using Proxyless.Xds.Policies;
using Proxyless.Xds.Resolver;

namespace Proxyless.Xds;

/// <summary>
/// Registers xDS with Proxyless: the <c>xds</c> resolver and the xDS policies. Referencing the package is enough for
/// the default registries (they find it by assembly name); call these on registries you build yourself, or in trimmed
/// applications.
/// </summary>
public static class XdsRegistration
{
    /// <summary>
    /// Adds the <c>xds</c> resolver. Without <paramref name="bootstrapJson"/> it reads gRPC's bootstrap from
    /// <c>GRPC_XDS_BOOTSTRAP</c> (a file) or <c>GRPC_XDS_BOOTSTRAP_CONFIG</c> (the JSON) when a channel is created.
    /// </summary>
    /// <param name="registry">The registry.</param>
    /// <param name="bootstrapJson">gRPC's xDS bootstrap JSON, to use instead of the environment.</param>
    /// <returns>The registry.</returns>
    /// <exception cref="XdsBootstrapException">The bootstrap is invalid; the message names the field.</exception>
    public static ResolverRegistry AddXds(this ResolverRegistry registry, string? bootstrapJson = null)
    {
        ArgumentNullException.ThrowIfNull(registry);
        return registry.Register(new XdsResolverProvider(bootstrapJson is null ? null : XdsBootstrap.Parse(bootstrapJson, "options")));
    }

    /// <summary>Adds the xDS policies (<c>xds_cluster_manager_experimental</c>, <c>cds_experimental</c>, <c>xds_wrr_locality_experimental</c>).</summary>
    /// <param name="registry">The registry.</param>
    /// <returns>The registry.</returns>
    public static LoadBalancerRegistry AddXds(this LoadBalancerRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        return registry
            .Register(new ClusterManagerLoadBalancer.Provider())
            .Register(new CdsLoadBalancer.Provider())
            .Register(new WrrLocalityLoadBalancer.Provider());
    }

    // Called by the default registries of Proxyless when this assembly is present (see OptionalPackages).
    internal static void AddDefaults(object registry)
    {
        switch (registry)
        {
            case ResolverRegistry resolvers:
                resolvers.AddXds();
                break;
            case LoadBalancerRegistry policies:
                policies.AddXds();
                break;
        }
    }
}
