using Proxyless.Configuration;

namespace Proxyless.Balancing;

/// <summary>
/// A named policy: parses its JSON config and creates instances. Register it in a <see cref="LoadBalancerRegistry"/>
/// and name it in the service config's <c>loadBalancingConfig</c>.
/// </summary>
public abstract class LoadBalancerProvider
{
    /// <summary>The policy name used in service config, e.g. <c>round_robin</c>.</summary>
    public abstract string PolicyName { get; }

    /// <summary>
    /// Parses the policy's config object, filling defaults. Throw <see cref="ServiceConfigException"/> (for example via
    /// <see cref="ConfigObject.Error"/>) naming the bad field.
    /// </summary>
    /// <param name="config">The policy's JSON object, with its path for error messages.</param>
    /// <param name="registry">The registry, for policies whose config names child policies.</param>
    public abstract LoadBalancerConfig ParseConfig(ConfigObject config, LoadBalancerRegistry registry);

    /// <summary>Creates a policy instance.</summary>
    /// <param name="helper">The channel's (or a parent policy's) helper.</param>
    public abstract LoadBalancer Create(IChannelControlHelper helper);
}
