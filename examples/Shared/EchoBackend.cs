using System.Net;
using Grpc.Health.V1;
using Grpc.HealthCheck;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Proxyless.Examples;

/// <summary>
/// A Kestrel echo server on a loopback address (port 0 picks a free one), HTTP/2 without TLS. Used by the examples,
/// the functional tests and the benchmarks.
/// </summary>
public sealed class EchoBackend : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _stopped;

    private EchoBackend(WebApplication app, EchoBackendState state, EndPoint endPoint, HealthServiceImpl? health)
    {
        _app = app;
        State = state;
        EndPoint = endPoint;
        Health = health;
    }

    /// <summary>The bound address (with the real port when 0 was asked for), or the Unix socket.</summary>
    public EndPoint EndPoint { get; }

    /// <summary>The bound port (0 for a Unix socket).</summary>
    public int Port => (EndPoint as IPEndPoint)?.Port ?? 0;

    /// <summary>The address as gRPC prints peers: <c>127.0.0.1:1234</c>, <c>[::1]:1234</c> or <c>unix:/path</c>.</summary>
    public string Address => EndPoint switch
    {
        IPEndPoint { AddressFamily: System.Net.Sockets.AddressFamily.InterNetworkV6 } ip => $"[{ip.Address}]:{ip.Port}",
        IPEndPoint ip => $"{ip.Address}:{ip.Port}",
        _ => $"unix:{EndPoint}",
    };

    /// <summary>TCP (or Unix) connections currently open to this server.</summary>
    public int OpenConnections => Volatile.Read(ref State.OpenConnectionCount);

    /// <summary>Label and counters.</summary>
    public EchoBackendState State { get; }

    /// <summary>The ORCA recorder when <see cref="EchoBackendOptions.OrcaCpuUtilization"/> was set; change its values to shift load.</summary>
    public Proxyless.AspNetCore.Orca.OrcaMetricsRecorder? Orca => _app.Services.GetService<Proxyless.AspNetCore.Orca.OrcaMetricsRecorder>();

    /// <summary>The health service, to flip between SERVING and NOT_SERVING; null when disabled.</summary>
    public HealthServiceImpl? Health { get; }

    /// <summary>Starts a backend.</summary>
    /// <param name="endPoint">A loopback address; port 0 picks a free port.</param>
    /// <param name="configure">Adjusts the options.</param>
    public static async Task<EchoBackend> StartAsync(EndPoint endPoint, Action<EchoBackendOptions>? configure = null)
    {
        if (endPoint is IPEndPoint ip && !IPAddress.IsLoopback(ip.Address))
        {
            throw new ArgumentException($"Echo backends bind only to loopback addresses, not {ip.Address}.", nameof(endPoint));
        }

        var options = new EchoBackendOptions();
        configure?.Invoke(options);
        var state = new EchoBackendState(options);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = ["--hostBuilder:reloadConfigOnChange=false"] });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            void Configure(ListenOptions listen)
            {
                listen.Protocols = HttpProtocols.Http2;
                if (options.ServerCertificate is { } certificate)
                {
                    listen.UseHttps(https =>
                    {
                        https.ServerCertificate = certificate;
                        if (options.ClientCertificateAuthority is { } clientCa)
                        {
                            https.ClientCertificateMode = Microsoft.AspNetCore.Server.Kestrel.Https.ClientCertificateMode.RequireCertificate;
                            https.ClientCertificateValidation = (clientCertificate, _, _) => clientCa.Verifies(clientCertificate);
                        }
                    });
                }

                listen.Use(next => async connection =>
                {
                    Interlocked.Increment(ref state.OpenConnectionCount);
                    try
                    {
                        await next(connection);
                    }
                    finally
                    {
                        Interlocked.Decrement(ref state.OpenConnectionCount);
                    }
                });
            }

            kestrel.Listen(endPoint, Configure);
            foreach (var extra in options.AdditionalEndPoints)
            {
                kestrel.Listen(extra, Configure);
            }
        });
        builder.WebHost.UseShutdownTimeout(TimeSpan.FromSeconds(1));
        builder.Services.AddGrpc(grpc => grpc.Interceptors.Add<CallRecorderInterceptor>());
        builder.Services.AddSingleton(state);
        HealthServiceImpl? health = null;
        if (options.EnableHealthService)
        {
            health = new HealthServiceImpl();
            health.SetStatus("", HealthCheckResponse.Types.ServingStatus.Serving);
            health.SetStatus("grpc.examples.echo.Echo", HealthCheckResponse.Types.ServingStatus.Serving);
            builder.Services.AddSingleton(health);
        }

        if (options.OrcaCpuUtilization is { } cpu)
        {
            builder.Services.AddProxylessOrca(recorder =>
            {
                recorder.SetCpuUtilization(cpu);
                recorder.SetQps(options.OrcaQps);
            });
        }

        var app = builder.Build();
        app.Use(next => context =>
        {
            state.OnHttpRequest();
            return next(context);
        });
        app.MapGrpcService<EchoService>();
        if (health is not null)
        {
            app.MapGrpcService<HealthServiceImpl>();
        }

        await app.StartAsync();
        EndPoint actual = endPoint;
        if (endPoint is IPEndPoint requested)
        {
            var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            actual = new IPEndPoint(requested.Address, new Uri(bound).Port);
        }

        var backend = new EchoBackend(app, state, actual, health);
        if (options.Label is null)
        {
            state.Label = backend.Address;
        }

        return backend;
    }

    /// <summary>Starts a backend on 127.0.0.1 with a free port.</summary>
    /// <param name="configure">Adjusts the options.</param>
    public static Task<EchoBackend> StartLoopbackAsync(Action<EchoBackendOptions>? configure = null)
        => StartAsync(new IPEndPoint(IPAddress.Loopback, 0), configure);

    /// <summary>Stops the server (open connections are closed).</summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        await _app.StopAsync(cts.Token);
        await _app.DisposeAsync();
    }

    /// <summary>Stops the server abruptly, as a crash would: open connections are aborted, calls in flight cut off.</summary>
    public async Task KillAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }

        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        try
        {
            await _app.StopAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
        }

        await _app.DisposeAsync();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await StopAsync();
}
