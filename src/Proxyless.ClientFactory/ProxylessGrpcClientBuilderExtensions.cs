using Grpc.Net.ClientFactory;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http;
using Microsoft.Extensions.Options;
using Proxyless;
using Proxyless.ClientFactory;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Balances a client factory gRPC client (<c>AddGrpcClient&lt;T&gt;()</c>) with Proxyless.</summary>
public static class ProxylessGrpcClientBuilderExtensions
{
    /// <summary>
    /// Sends the client's calls through a Proxyless <see cref="BalancedChannel"/>: the client's address is a gRPC target
    /// (<c>dns:///greeter:5000</c>, <c>ipv4:10.0.0.1:5000,10.0.0.2:5000</c>, <c>registry:///greeter</c>,
    /// <c>etcd:///greeter</c> with its resolver registered, ...), every call attempt is picked by the policy in the
    /// service config, and the factory's interceptors, call credentials, <c>ConfigureChannel</c> options, message
    /// handlers and deadlines keep working. One balanced channel serves all instances of the client name and is disposed
    /// with the container. Resolvers and policies registered in the container (<c>AddProxylessResolver</c>,
    /// <c>AddProxylessLoadBalancer</c>) are used.
    /// </summary>
    /// <param name="builder">The builder <c>AddGrpcClient</c> returned.</param>
    /// <param name="configure">Sets the channel's options: <see cref="BalancedChannelOptions.ServiceConfig"/>, TLS, connection options.</param>
    /// <returns>The builder.</returns>
    /// <remarks>
    /// An address that is not a valid target, an invalid service config, or another primary handler on the same client
    /// (<c>ConfigurePrimaryHttpMessageHandler</c>) fails host start (<c>ValidateOnStart</c>) naming the client; setting
    /// <c>GrpcChannelOptions.ServiceConfig</c> is an error when the client is created: the balanced channel supplies both.
    /// </remarks>
    public static IHttpClientBuilder UseProxyless(this IHttpClientBuilder builder, Action<BalancedChannelOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var name = builder.Name;
        builder.Services.TryAddSingleton<ProxylessClientChannels>();
        builder.Services.Configure<ProxylessClientOptions>(name, o =>
        {
            o.Enabled = true;
            if (configure is not null)
            {
                o.Configure.Add(configure);
            }
        });

        builder.ConfigurePrimaryHttpMessageHandler(services =>
            new ChannelForwarder(services.GetRequiredService<ProxylessClientChannels>().Get(name, services.GetRequiredService<IOptionsMonitor<GrpcClientFactoryOptions>>()).Handler));

        // After every other configuration of the client: the address becomes the channel's, and nothing replaced the
        // balancing handler.
        builder.Services.AddOptions<GrpcClientFactoryOptions>(name)
            .PostConfigure<ProxylessClientChannels>((options, channels) => UseChannel(name, options, channels.GetOrCreate(name, options.Address)))
            .ValidateOnStart();
        builder.Services.AddOptions<ProxylessStartupCheck>(name)
            .Validate<IHttpMessageHandlerFactory>((_, handlers) => handlers.CreateHandler(name) is not null)
            .ValidateOnStart();
        builder.Services.PostConfigure<HttpClientFactoryOptions>(name, options => options.HttpMessageHandlerBuilderActions.Add(handlers =>
        {
            if (handlers.PrimaryHandler is not ChannelForwarder)
            {
                throw new InvalidOperationException(
                    $"gRPC client '{name}' uses Proxyless (UseProxyless), which supplies the primary HTTP handler, but another primary handler " +
                    $"({handlers.PrimaryHandler?.GetType().Name ?? "none"}) was configured; remove ConfigurePrimaryHttpMessageHandler from this client " +
                    "(message handlers added with AddHttpMessageHandler are fine).");
            }
        }));
        return builder;
    }

    /// <summary>
    /// <see cref="UseProxyless(IHttpClientBuilder, Action{BalancedChannelOptions}?)"/> configured from appsettings.json:
    /// the section's <c>Target</c> becomes the client's address, and <c>ServiceConfig</c> (a JSON object),
    /// <c>Authority</c>, <c>Connection</c> and <c>Tls</c> configure its channel, read as <c>AddProxylessChannel</c> reads
    /// them. A bad key fails when the client's options are first read (host start) naming its path.
    /// </summary>
    /// <param name="builder">The builder <c>AddGrpcClient</c> returned.</param>
    /// <param name="configuration">The client's section, e.g. <c>builder.Configuration.GetSection("Greeter")</c>.</param>
    /// <param name="configure">Sets what configuration cannot.</param>
    /// <returns>The builder.</returns>
    public static IHttpClientBuilder UseProxyless(this IHttpClientBuilder builder, Microsoft.Extensions.Configuration.IConfiguration configuration, Action<BalancedChannelOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var section = configuration as Microsoft.Extensions.Configuration.IConfigurationSection
            ?? throw new ArgumentException("Pass the client's configuration section, e.g. builder.Configuration.GetSection(\"Greeter\").", nameof(configuration));
        var settings = new Lazy<(string Target, BalancedChannelOptions Options)>(() => Proxyless.DependencyInjection.ChannelConfigurationReader.Read(section)); // read once (errors too)
        builder.Services.Configure<GrpcClientFactoryOptions>(builder.Name, o => o.Address = new Uri(settings.Value.Target));
        return builder.UseProxyless(options =>
        {
            var read = settings.Value.Options;
            options.Authority = read.Authority;
            options.ServiceConfig = read.ServiceConfig;
            options.Connection = read.Connection;
            options.Tls = read.Tls;
            configure?.Invoke(options);
        });
    }

    private static void UseChannel(string name, GrpcClientFactoryOptions options, BalancedChannel channel)
    {
        options.Address = channel.BaseUri;
        options.ChannelOptionsActions.Add(channelOptions =>
        {
            if (channelOptions.ServiceConfig is not null)
            {
                throw new InvalidOperationException($"gRPC client '{name}' uses Proxyless: set its service config with UseProxyless(o => o.ServiceConfig = \"...\"), not GrpcChannelOptions.ServiceConfig.");
            }

            channelOptions.ServiceConfig = channel.GrpcServiceConfig; // retries and hedging from the service config's methodConfig
        });
        // Outermost: the per-call metrics time the call as the application sees it.
        options.InterceptorRegistrations.Insert(0, new InterceptorRegistration(InterceptorScope.Channel, _ => channel.CallMetricsInterceptor));
        if (channel.MethodDefaults is { } methodDefaults)
        {
            // Innermost, as on a BalancedChannel itself: the service config's timeout and waitForReady.
            options.InterceptorRegistrations.Add(new InterceptorRegistration(InterceptorScope.Channel, _ => methodDefaults));
        }
    }
}
