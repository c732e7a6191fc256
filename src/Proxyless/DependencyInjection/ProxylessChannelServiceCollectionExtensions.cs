using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Proxyless;
using Proxyless.DependencyInjection;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Named balanced channels configured from appsettings.json (or any configuration source).</summary>
public static class ProxylessChannelServiceCollectionExtensions
{
    /// <summary>
    /// Adds a <see cref="BalancedChannel"/> named <paramref name="name"/>, read from <paramref name="configuration"/>:
    /// <c>Target</c> (required), <c>Authority</c>, <c>ServiceConfig</c> (the gRPC service config as a JSON object),
    /// <c>Connection</c> (keepalive, backoff) and <c>Tls</c> (<c>ServerName</c>, <c>TrustedRootsPemFile</c>,
    /// <c>ClientCertificatePemFile</c>, <c>ClientKeyPemFile</c>). Inject it as a keyed service
    /// (<c>[FromKeyedServices("greeter")] BalancedChannel channel</c>, or <c>GetRequiredKeyedService</c>); it is also
    /// registered as a keyed <see cref="Grpc.Core.ChannelBase"/>. An invalid section fails host start
    /// (<c>ValidateOnStart</c>) with the path of the bad key. A reload that changes <c>ServiceConfig</c> applies its
    /// policy to new picks without failing calls in flight; an invalid reload is logged and the last good config stays
    /// (<c>methodConfig</c> keeps the values the channel was created with).
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="name">The channel's name (the service key).</param>
    /// <param name="configuration">The channel's section, e.g. <c>builder.Configuration.GetSection("Proxyless:Channels:greeter")</c>.</param>
    /// <param name="configure">Sets what configuration cannot (a TLS validation hook, a connect function).</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddProxylessChannel(this IServiceCollection services, string name, IConfiguration configuration, Action<BalancedChannelOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration as IConfigurationSection
            ?? throw new ArgumentException("Pass the channel's configuration section, e.g. builder.Configuration.GetSection(\"Proxyless:Channels:greeter\").", nameof(configuration));
        services.AddKeyedSingleton(name, (sp, _) => new ConfiguredChannel(section, sp, configure));
        services.AddKeyedSingleton(name, (sp, key) => sp.GetRequiredKeyedService<ConfiguredChannel>(key).Channel);
        services.AddKeyedSingleton<Grpc.Core.ChannelBase>(name, (sp, key) => sp.GetRequiredKeyedService<BalancedChannel>(key));
        services.AddOptions<ProxylessChannelCheck>(name).Configure(check => check.Section = section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ProxylessChannelCheck>, ProxylessChannelCheck.Validator>();
        return services;
    }
}
