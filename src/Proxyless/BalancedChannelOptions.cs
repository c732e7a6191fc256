using Grpc.Net.Client;
using Microsoft.Extensions.Logging;
using Proxyless.Balancing;
using Proxyless.Resolution;
using Proxyless.Transport;

namespace Proxyless;

/// <summary>Options for <see cref="BalancedChannel.Create(string, BalancedChannelOptions?)"/>.</summary>
public sealed class BalancedChannelOptions
{
    /// <summary>
    /// The default service config JSON, as grpc-go's <c>WithDefaultServiceConfig</c> takes it, e.g.
    /// <c>{"loadBalancingConfig":[{"round_robin":{}}]}</c>. A config supplied by the resolver takes precedence.
    /// Null means pick_first with no method config.
    /// </summary>
    public string? ServiceConfig { get; set; }

    /// <summary>Logging; none when null.</summary>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>Resolvers by scheme; <see cref="ResolverRegistry.CreateDefault"/> when null.</summary>
    public ResolverRegistry? Resolvers { get; set; }

    /// <summary>Policies by name; <see cref="LoadBalancerRegistry.CreateDefault"/> when null.</summary>
    public LoadBalancerRegistry? LoadBalancers { get; set; }

    /// <summary>The <c>:authority</c> of calls (the logical service name); the resolver's default when null.</summary>
    public string? Authority { get; set; }

    /// <summary>
    /// TLS for every connection (server names per address, custom roots, client certificate for mTLS). Null means
    /// plaintext HTTP/2, except for <c>https://</c> targets, which always use TLS (with system roots when this is null).
    /// </summary>
    public TlsOptions? Tls { get; set; }

    /// <summary>How subchannels connect: backoff, keepalive, custom connect.</summary>
    public ConnectionOptions Connection { get; set; } = new();

    /// <summary>
    /// Further <c>GrpcChannel</c> options (message sizes, compression, credentials, max retry attempts). Leave
    /// <c>HttpHandler</c>, <c>HttpClient</c> and <c>ServiceConfig</c> unset: the balanced channel supplies them.
    /// </summary>
    public GrpcChannelOptions? GrpcChannelOptions { get; set; }

    /// <summary>
    /// A service provider to take policies, resolvers and logging from: the built-ins plus every
    /// <see cref="LoadBalancerProvider"/> and <see cref="ResolverProvider"/> registered in it (see
    /// <c>AddProxylessLoadBalancer</c> and <c>AddProxylessResolver</c>), and its <see cref="ILoggerFactory"/>.
    /// Explicit <see cref="LoadBalancers"/>, <see cref="Resolvers"/> and <see cref="LoggerFactory"/> take precedence.
    /// </summary>
    public IServiceProvider? ServiceProvider { get; set; }

    /// <summary>The clock for timers and backoff (tests may substitute their own).</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}
