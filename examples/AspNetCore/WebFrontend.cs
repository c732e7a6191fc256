using Grpc.Examples.Echo;
using Proxyless.Discovery;
using Proxyless.Examples;
using Proxyless.Resolution;

namespace AspNetCoreExample;

/// <summary>
/// A web app whose endpoint calls a gRPC backend through <c>AddGrpcClient</c> + <c>UseProxyless</c>, configured from
/// appsettings.json (section <c>Greeter</c>), discovering the backends through the file registry (no server needed).
/// </summary>
public static class WebFrontend
{
    /// <summary>Builds the app: <c>GET /hello/{name}</c> answers with the backend's reply.</summary>
    /// <param name="args">Command-line arguments and configuration overrides (<c>--Registry:Directory=...</c>).</param>
    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        var directory = builder.Configuration["Registry:Directory"];
        builder.Services.AddProxylessFileRegistry(string.IsNullOrEmpty(directory) ? null : new FileRegistryOptions { Directory = directory });
        builder.Services.AddSingleton<ResolverProvider>(sp => new RegistryResolverProvider("registry", sp.GetRequiredService<FileRegistry>()));
        builder.Services.AddGrpcClient<Echo.EchoClient>().UseProxyless(builder.Configuration.GetSection("Greeter"));

        var app = builder.Build();
        app.MapGet("/hello/{name}", async (string name, Echo.EchoClient client, CancellationToken cancellationToken) =>
            (await client.UnaryEchoAsync(new EchoRequest { Message = name }, cancellationToken: cancellationToken)).Message);
        return app;
    }

    /// <summary>Starts two echo backends on loopback and registers them as <c>greeter</c> in <paramref name="registry"/>.</summary>
    public static async Task<IAsyncDisposable> StartBackendsAsync(FileRegistry registry)
    {
        var backends = new List<EchoBackend>();
        for (var i = 0; i < 2; i++)
        {
            var backend = await EchoBackend.StartLoopbackAsync();
            backends.Add(backend);
            await registry.RegisterAsync(new ServiceInstance("greeter", "1.0", $"greeter-{i + 1}", [new InstanceEndpoint([backend.Address])], new Dictionary<string, string>()));
        }

        return new Backends(backends);
    }

    private sealed class Backends(List<EchoBackend> backends) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            foreach (var backend in backends)
            {
                await backend.DisposeAsync();
            }
        }
    }
}
