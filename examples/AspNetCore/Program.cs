// A web app that calls a gRPC backend through AddGrpcClient + UseProxyless, configured from appsettings.json and
// discovering backends through the file registry.
//   dotnet run --project examples/AspNetCore -- --with-backends     # also starts two backends and registers them
//   curl http://localhost:5000/hello/world                         # "world (from 127.0.0.1:...)", alternating
using AspNetCoreExample;
using Proxyless.Discovery;

var withBackends = args.Contains("--with-backends");
var app = WebFrontend.Build([.. args.Where(a => a != "--with-backends")]); // a bare switch would swallow the next option
await using var backends = withBackends
    ? await WebFrontend.StartBackendsAsync(app.Services.GetRequiredService<FileRegistry>())
    : null;
await app.StartAsync();
Console.WriteLine($"listening on {string.Join(", ", app.Urls)}; try GET /hello/world (Ctrl+C to stop)");
await app.WaitForShutdownAsync();
