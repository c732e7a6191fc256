using System.Collections.Concurrent;
using System.Diagnostics;
using Grpc.Examples.Echo;
using Proxyless.Examples;
using Proxyless.Resolution;
using Proxyless.Transport;
using Proxyless.Tests.Support;

namespace Proxyless.Tests.Functional;

/// <summary>
/// The balancer on the call's trace: grpc-dotnet's client activity (what OpenTelemetry's gRPC client instrumentation
/// exports) names the backend that served the attempt and the policy, and carries events for a pick that waited and
/// for a transparent retry; HttpClient's span under it (what OpenTelemetry's HttpClient instrumentation exports) names
/// the backend too. Activities are told apart by the backend ports, which belong to each test.
/// </summary>
public sealed class TracingTests : IDisposable
{
    private readonly ConcurrentQueue<Activity> _activities = new();
    private readonly ActivityListener _listener;

    public TracingTests()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is "Grpc.Net.Client" or "System.Net.Http",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _activities.Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public void Dispose() => _listener.Dispose();

    private List<Activity> ServedBy(int port) => [.. _activities.Where(a => a.OperationName == "Grpc.Net.Client.GrpcOut" && Equals(a.GetTagItem("server.port"), port))];

    private List<Activity> HttpSpansUnder(Activity call) => [.. _activities.Where(a => a.OperationName == "System.Net.Http.HttpRequestOut" && a.ParentSpanId == call.SpanId)];

    [Fact]
    public async Task WithRequestUriNamesBackendTheHttpClientSpanOfEachAttemptNamesTheBackendThatServedIt()
    {
        await using var backends = await BackendSet.StartAsync(2);
        using var channel = BalancedChannel.Create(backends.Target, new BalancedChannelOptions
        {
            ServiceConfig = """{"loadBalancingConfig":[{"round_robin":{}}]}""",
            Connection = new ConnectionOptions { RequestUriNamesBackend = true },
        });
        await channel.ConnectAsync();
        await Eventually.ReadyAsync(channel, 2, "both READY");
        var client = new Echo.EchoClient(channel);
        for (var i = 0; i < 4; i++)
        {
            await client.UnaryEchoAsync(new EchoRequest { Message = "h" }, deadline: DateTime.UtcNow.AddSeconds(10));
        }

        // Still one connection per backend: health checks, triggers and calls all went to the same URI host.
        Assert.All(channel.GetDiagnostics().Subchannels, s => Assert.Equal(1, s.OpenConnections));

        foreach (var backend in new[] { backends[0], backends[1] })
        {
            var calls = ServedBy(backend.Port);
            Assert.Equal(2, calls.Count);
            Assert.All(calls, call =>
            {
                var http = Assert.Single(HttpSpansUnder(call));
                // url.full and server.port name the backend; server.address follows the Host header (the call's
                // authority, as OpenTelemetry's HTTP conventions say), which an ipv4: target's channel sends as localhost.
                Assert.Equal($"http://127.0.0.1:{backend.Port}/grpc.examples.echo.Echo/UnaryEcho", http.GetTagItem("url.full"));
                Assert.Equal(backend.Port, http.GetTagItem("server.port"));
                Assert.Equal("localhost", http.GetTagItem("server.address"));
            });
        }
    }

    [Fact]
    public async Task WithRequestUriNamesBackendACallOverTlsKeepsItsAuthorityAndServerNameWhileItsSpanNamesTheBackend()
    {
        using var ca = DevCertificateAuthority.Create("Proxyless Tracing Test CA");
        string? seenHost = null;
        await using var backend = await EchoBackend.StartLoopbackAsync(o =>
        {
            o.ServerCertificate = ca.IssueServerCertificate(["greeter.example"]);
            o.OnCall = ctx => seenHost = ctx.Host;
        });
        using var channel = BalancedChannel.Create("manual:///greeter", new BalancedChannelOptions
        {
            Authority = "greeter.example:8443",
            Resolvers = ResolverRegistry.CreateDefault().Register(new ManualResolverProvider(ResolverResult.ForEndpoints([new BackendEndpoint(new BackendAddress(backend.EndPoint))]))),
            Tls = new TlsOptions { TrustedRoots = [ca.Certificate] },
            Connection = new ConnectionOptions { RequestUriNamesBackend = true },
        });

        var reply = await new Echo.EchoClient(channel).UnaryEchoAsync(new EchoRequest { Message = "tls" }, deadline: DateTime.UtcNow.AddSeconds(10));

        Assert.StartsWith("tls (from", reply.Message); // the certificate was verified against greeter.example
        Assert.Equal("greeter.example:8443", seenHost); // :authority is the target's, not the backend's address
        var http = Assert.Single(HttpSpansUnder(Assert.Single(ServedBy(backend.Port))));
        Assert.Equal($"https://127.0.0.1:{backend.Port}/grpc.examples.echo.Echo/UnaryEcho", http.GetTagItem("url.full"));
    }

    [Fact]
    public async Task TheCallsActivityNamesTheBackendAndThePolicyAndAWaitedPick()
    {
        await using var backends = await BackendSet.StartAsync(1);
        using var channel = BalancedChannel.Create(backends.Target, new BalancedChannelOptions { ServiceConfig = """{"loadBalancingConfig":[{"round_robin":{}}]}""" });
        var client = new Echo.EchoClient(channel);
        await client.UnaryEchoAsync(new EchoRequest { Message = "a" }, deadline: DateTime.UtcNow.AddSeconds(10)); // the channel was IDLE: the pick waits
        await client.UnaryEchoAsync(new EchoRequest { Message = "b" }, deadline: DateTime.UtcNow.AddSeconds(10));

        var port = backends[0].Port;
        var activities = ServedBy(port);
        Assert.Equal(2, activities.Count);
        Assert.All(activities, a =>
        {
            Assert.Equal("Grpc.Net.Client.GrpcOut", a.OperationName);
            Assert.Equal("127.0.0.1", a.GetTagItem("server.address"));
            Assert.Equal("127.0.0.1", a.GetTagItem("network.peer.address"));
            Assert.Equal(port, a.GetTagItem("network.peer.port"));
            Assert.Equal("round_robin", a.GetTagItem("proxyless.lb.policy"));
        });
        Assert.Equal(1, activities.Sum(a => a.Events.Count(e => e.Name == "proxyless.pick.queued")));

        // By default HttpClient's span keeps the channel's URI (ConnectionOptions.RequestUriNamesBackend is off).
        Assert.All(activities, a => Assert.Equal("http://localhost/grpc.examples.echo.Echo/UnaryEcho", Assert.Single(HttpSpansUnder(a)).GetTagItem("url.full")));
    }

    [Fact]
    public async Task ATransparentRetryIsAnEventOnTheCallsActivity()
    {
        await using var refusing = new RefusingHttp2Server();
        await using var backends = await BackendSet.StartAsync(1);
        using var channel = BalancedChannel.Create($"ipv4:{refusing.Address},{backends[0].Address}", new BalancedChannelOptions { ServiceConfig = """{"loadBalancingConfig":[{"round_robin":{}}]}""" });
        await channel.ConnectAsync();
        await Eventually.ReadyAsync(channel, 2, "both READY");
        var client = new Echo.EchoClient(channel);
        for (var i = 0; i < 4; i++)
        {
            await client.UnaryEchoAsync(new EchoRequest { Message = "t" }, deadline: DateTime.UtcNow.AddSeconds(10));
        }

        var activities = ServedBy(backends[0].Port);
        Assert.Equal(4, activities.Count); // the refused attempt's backend is replaced by the one that served the call
        var retries = activities.SelectMany(a => a.Events).Where(e => e.Name == "proxyless.transparent_retry").ToList();
        Assert.NotEmpty(retries);
        Assert.All(retries, e => Assert.Equal(refusing.Address, e.Tags.Single(t => t.Key == "proxyless.backend").Value));
    }
}
