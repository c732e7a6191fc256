using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using GrpcServiceConfig = Grpc.Net.Client.Configuration.ServiceConfig;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Proxyless.Balancing;
using Proxyless.Calls;
using Proxyless.Configuration;
using Proxyless.Diagnostics;
using Proxyless.Resolution;
using Proxyless.Transport;

namespace Proxyless;

/// <summary>
/// A gRPC channel that resolves a target to endpoints, balances calls over them with the policy named in the service
/// config, and keeps one connection per backend address. Pass it to any generated client, like a <c>GrpcChannel</c>.
/// </summary>
/// <example>
/// <code>
/// using var channel = BalancedChannel.Create("ipv4:127.0.0.1:50051,127.0.0.1:50052", new BalancedChannelOptions
/// {
///     ServiceConfig = """{"loadBalancingConfig":[{"round_robin":{}}]}""",
/// });
/// var client = new Echo.EchoClient(channel);
/// </code>
/// </example>
public sealed class BalancedChannel : ChannelBase, IDisposable
{
    private readonly ChannelController _controller;
    private readonly GrpcChannel _grpcChannel;
    private readonly BalancingHandler _handler;
    private readonly CallInvoker _callInvoker;

    private BalancedChannel(string target, ChannelController controller, GrpcChannel grpcChannel, BalancingHandler handler, Interceptor? interceptor, GrpcServiceConfig grpcServiceConfig)
        : base(target)
    {
        _controller = controller;
        _grpcChannel = grpcChannel;
        _handler = handler;
        MethodDefaults = interceptor;
        GrpcServiceConfig = grpcServiceConfig;
        var invoker = grpcChannel.CreateCallInvoker();
        var observer = new CallObserver(controller.Target.Canonical, new RetriedMethods(grpcServiceConfig));
        CallMetricsInterceptor = new CallObserverInterceptor(observer);
        _callInvoker = new ObservedCallInvoker(interceptor is null ? invoker : invoker.Intercept(interceptor), observer);
    }

    /// <summary>
    /// Creates a channel. Nothing connects until the first call or <see cref="ConnectAsync"/>.
    /// </summary>
    /// <param name="target">
    /// A gRPC target: <c>ipv4:127.0.0.1:50051,127.0.0.1:50052</c>, <c>ipv6:[::1]:50051</c>, <c>dns:///host:port</c>,
    /// <c>host:port</c>, <c>http://host:port</c>, <c>https://host:port</c> (always TLS), <c>unix:/path</c>, or any scheme
    /// registered in <see cref="BalancedChannelOptions.Resolvers"/>.
    /// </param>
    /// <param name="options">Options; defaults when null.</param>
    /// <exception cref="ArgumentException">The target is malformed; the message names the problem.</exception>
    /// <exception cref="ServiceConfigException">The service config is invalid or names no registered policy; the message names the field.</exception>
    public static BalancedChannel Create(string target, BalancedChannelOptions? options = null)
    {
        options ??= new BalancedChannelOptions();
        var (parsedTarget, provider, serviceConfig, policy, balancers) = Prepare(target, options);
        var services = options.ServiceProvider;

        var grpcOptions = options.GrpcChannelOptions ?? new GrpcChannelOptions();
        if (grpcOptions.HttpHandler is not null || grpcOptions.HttpClient is not null)
        {
            throw new ArgumentException("GrpcChannelOptions.HttpHandler and HttpClient must be unset: the balanced channel supplies its own handler.", nameof(options));
        }

        if (grpcOptions.ServiceConfig is not null)
        {
            throw new ArgumentException("Set BalancedChannelOptions.ServiceConfig (JSON) instead of GrpcChannelOptions.ServiceConfig.", nameof(options));
        }

        var loggerFactory = options.LoggerFactory ?? services?.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance;
        var resolver = provider.CreateResolver(parsedTarget, new ResolverOptions { LoggerFactory = loggerFactory, TimeProvider = options.TimeProvider });
        var authority = options.Authority ?? provider.GetDefaultAuthority(parsedTarget);
        var tls = options.Tls;
        if (parsedTarget.Scheme == "https")
        {
            tls ??= new TlsOptions();
        }
        else if (parsedTarget.Scheme == "http" && tls is not null)
        {
            throw new ArgumentException($"Target '{target}' asks for plaintext (http://) but TLS options were given; use an https:// or dns: target.", nameof(target));
        }

        var scheme = tls is null ? "http" : "https";
        if (!Uri.TryCreate($"{scheme}://{authority}", UriKind.Absolute, out var baseUri) || baseUri.PathAndQuery != "/")
        {
            resolver.Dispose();
            throw new ArgumentException($"The authority '{authority}' of target '{target}' is not a valid host[:port]; set BalancedChannelOptions.Authority.", nameof(target));
        }

        var controller = new ChannelController(parsedTarget, resolver, serviceConfig, policy, balancers, authority, baseUri, options, loggerFactory, tls);
        var handler = new BalancingHandler(controller);
        var grpcServiceConfig = new GrpcServiceConfig { RetryThrottling = serviceConfig.RetryThrottling };
        foreach (var methodConfig in serviceConfig.MethodConfigs)
        {
            grpcServiceConfig.MethodConfigs.Add(methodConfig);
        }

        grpcOptions.HttpHandler = handler;
        grpcOptions.DisposeHttpClient = false;
        grpcOptions.ServiceConfig = grpcServiceConfig;
        grpcOptions.LoggerFactory ??= loggerFactory;
        GrpcChannel grpcChannel;
        try
        {
            grpcChannel = GrpcChannel.ForAddress(baseUri, grpcOptions);
        }
        finally
        {
            // The caller's options object is theirs again.
            grpcOptions.HttpHandler = null;
            grpcOptions.ServiceConfig = null;
        }

        var interceptor = serviceConfig.CallSettings.Count > 0 ? new MethodDefaultsInterceptor(serviceConfig.CallSettings) : null;
        return new BalancedChannel(target, controller, grpcChannel, handler, interceptor, grpcServiceConfig);
    }

    /// <summary>
    /// Checks what <see cref="Create"/> would check (the target, its resolver, the service config and its policy)
    /// without creating a channel: for validation at host start.
    /// </summary>
    internal static void Validate(string target, BalancedChannelOptions options)
    {
        var (parsedTarget, provider, _, _, _) = Prepare(target, options);
        using var resolver = provider.CreateResolver(parsedTarget, new ResolverOptions { TimeProvider = options.TimeProvider }); // not started: no lookup
    }

    // What Create and Validate both check: connection options, the target and its resolver, the service config and
    // its policy (with the providers registered in the options or the container).
    private static (ResolverTarget Target, ResolverProvider Provider, ServiceConfig ServiceConfig, PolicySelection Policy, LoadBalancerRegistry Balancers) Prepare(string target, BalancedChannelOptions options)
    {
        options.Connection.Validate();
        var services = options.ServiceProvider;
        var resolvers = options.Resolvers ?? FromServices<ResolverRegistry, ResolverProvider>(ResolverRegistry.CreateDefault(), services, (r, p) => r.Register(p));
        var balancers = options.LoadBalancers ?? FromServices<LoadBalancerRegistry, LoadBalancerProvider>(LoadBalancerRegistry.CreateDefault(), services, (r, p) => r.Register(p));
        var (parsedTarget, provider) = resolvers.Parse(target);
        var serviceConfig = options.ServiceConfig is null ? ServiceConfig.Empty : ServiceConfig.Parse(options.ServiceConfig);
        return (parsedTarget, provider, serviceConfig, balancers.SelectPolicy(serviceConfig), balancers);
    }

    private static TRegistry FromServices<TRegistry, TProvider>(TRegistry registry, IServiceProvider? services, Action<TRegistry, TProvider> register)
        where TProvider : class
    {
        foreach (var provider in services?.GetServices<TProvider>() ?? [])
        {
            register(registry, provider);
        }

        return registry;
    }

    /// <summary>The channel's aggregate connectivity state (the root policy's state).</summary>
    public ConnectivityState State => _controller.State;

    /// <summary>The <c>:authority</c> calls carry.</summary>
    public string Authority => _controller.Authority;

    /// <summary>The underlying grpc-dotnet channel (for APIs that need a <c>GrpcChannel</c>).</summary>
    public GrpcChannel GrpcChannel => _grpcChannel;

    /// <summary>Waits until <see cref="State"/> differs from <paramref name="lastObservedState"/>.</summary>
    /// <param name="lastObservedState">The state the caller saw last.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    public Task WaitForStateChangedAsync(ConnectivityState lastObservedState, CancellationToken cancellationToken = default)
        => _controller.WaitForStateChangedAsync(lastObservedState, cancellationToken);

    /// <summary>Starts resolving and connecting, and waits until the channel is READY.</summary>
    /// <param name="cancellationToken">Stops waiting (the channel keeps connecting).</param>
    /// <exception cref="ObjectDisposedException">The channel was disposed.</exception>
    public async Task ConnectAsync(CancellationToken cancellationToken = default)
    {
        _controller.ExitIdle();
        while (true)
        {
            var state = _controller.State;
            switch (state)
            {
                case ConnectivityState.Ready:
                    return;
                case ConnectivityState.Shutdown:
                    throw new ObjectDisposedException(nameof(BalancedChannel));
                case ConnectivityState.Idle:
                    _controller.ExitIdle();
                    break;
            }

            await _controller.WaitForStateChangedAsync(state, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A snapshot of the channel: its subchannels (state, calls in flight, open connections) and, for xDS targets, the
    /// resources it follows with their ACK/NACK state.
    /// </summary>
    public ChannelDiagnostics GetDiagnostics()
    {
        var notes = _controller.DescribeEndpoints();
        var subchannels = _controller.Subchannels
            .Select(s => new SubchannelDiagnostics(s.PeerText, s.State.State, s.ActiveCalls, s.OpenConnections) { PolicyNote = notes.GetValueOrDefault(s.PeerText) })
            .ToArray();
        return new(Target, State, subchannels) { Policy = _controller.PolicyName, Resources = _controller.DescribeResources() };
    }

    /// <inheritdoc />
    public override CallInvoker CreateCallInvoker() => _callInvoker;

    /// <summary>Closes every connection and stops resolution. Calls in flight are cancelled.</summary>
    public void Dispose()
    {
        _controller.Dispose();
        _grpcChannel.Dispose();
        _handler.Dispose();
    }

    /// <inheritdoc />
    protected override Task ShutdownAsyncCore()
    {
        Dispose();
        return Task.CompletedTask;
    }

    internal ChannelController Controller => _controller;

    /// <summary>The handler that balances every HTTP request (for a <c>GrpcChannel</c> built by someone else, e.g. the client factory).</summary>
    internal HttpMessageHandler Handler => _handler;

    /// <summary>The address such a <c>GrpcChannel</c> must use: <c>http(s)://authority</c>.</summary>
    internal Uri BaseUri => _controller.BaseUri;

    /// <summary>The service config's retry, hedging and throttling settings, as grpc-dotnet takes them.</summary>
    internal GrpcServiceConfig GrpcServiceConfig { get; }

    /// <summary>Applies the service config's per-method timeout and waitForReady, when it has any.</summary>
    internal Interceptor? MethodDefaults { get; }

    /// <summary>The per-call metrics as an interceptor, for invokers the channel does not create (the client factory's).</summary>
    internal Interceptor CallMetricsInterceptor { get; }
}
