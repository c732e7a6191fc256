using System.Net;
using Grpc.HealthCheck;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Proxyless.Examples;

namespace Registry.Server;

/// <summary>
/// GoFrame's load-balancing server: an echo service on a random free loopback port that registers itself as
/// <c>hello</c> (with the port Kestrel actually bound) and deregisters on shutdown.
/// </summary>
public static class RegistryServer
{
    /// <summary>
    /// Builds the server from command-line options: <c>--registry</c>, <c>--name</c>, <c>--weight</c>, <c>--drain-ms</c>,
    /// <c>--not-serving-file</c> (NOT_SERVING while that file exists; keys n/s do the same in a terminal).
    /// </summary>
    /// <param name="args">The command line.</param>
    public static WebApplication Build(string[] args)
    {
        string Option(string name, string fallback)
        {
            var i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
        }

        var serviceName = Option("--name", "hello");
        var instanceId = $"{serviceName}-{Guid.NewGuid().ToString("N")[..8]}";
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = ["--hostBuilder:reloadConfigOnChange=false"] });
        builder.Logging.SetMinimumLevel(LogLevel.Warning).AddFilter("Proxyless", LogLevel.Information);
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, o => o.Protocols = HttpProtocols.Http2)); // a random free port
        builder.WebHost.UseShutdownTimeout(TimeSpan.FromSeconds(10));
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(new EchoBackendState(new EchoBackendOptions { Label = instanceId }));
        RegistryChoice.FromArgs(args).AddTo(builder.Services);

        // The one call that registers this server, with its health, and deregisters it on shutdown.
        builder.Services.AddProxylessRegistration(o =>
        {
            o.ServiceName = serviceName;
            o.InstanceId = instanceId;
            o.Metadata["weight"] = Option("--weight", "1");
            o.DrainPeriod = TimeSpan.FromMilliseconds(int.Parse(Option("--drain-ms", "1000"), System.Globalization.CultureInfo.InvariantCulture));
        });

        var flagFile = Option("--not-serving-file", "");
        if (flagFile.Length > 0 || !Console.IsInputRedirected)
        {
            builder.Services.AddHostedService(sp => new HealthToggle(sp.GetRequiredService<HealthServiceImpl>(), serviceName, flagFile.Length > 0 ? flagFile : null));
        }

        var app = builder.Build();
        app.MapGrpcService<EchoService>();
        app.MapProxylessHealthService();
        return app;
    }
}
