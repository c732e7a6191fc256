using System.Net;
using System.Security.Cryptography.X509Certificates;
using Grpc.Examples.Echo;
using Proxyless.Examples;
using Proxyless.Resolution;
using Proxyless.Tests.Support;
using Proxyless.Transport;

namespace Proxyless.Tests.Functional;

public sealed class TlsTests : IDisposable
{
    private readonly DevCertificateAuthority _ca = DevCertificateAuthority.Create("Proxyless Test CA");

    public void Dispose() => _ca.Dispose();

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> _authorities = new();

    private Task<EchoBackend> StartTlsBackendAsync(X509Certificate2 certificate, DevCertificateAuthority? clientCa = null)
        => EchoBackend.StartLoopbackAsync(o =>
        {
            o.ServerCertificate = certificate;
            o.ClientCertificateAuthority = clientCa;
            o.OnCall = ctx => _authorities[certificate.GetNameInfo(X509NameType.DnsName, false)] = ctx.Host;
        });

    private static BackendEndpoint Endpoint(EchoBackend backend, string? serverName)
        => new(new BackendAddress(backend.EndPoint, serverName is null ? null : Attributes.Empty.With(AddressAttributes.ServerName, serverName)));

    private BalancedChannel Channel(IReadOnlyList<BackendEndpoint> endpoints, string policy = "round_robin", TlsOptions? tls = null, string? authority = null)
        => BalancedChannel.Create("manual:///lb.example.grpc.io", new BalancedChannelOptions
        {
            Resolvers = ResolverRegistry.CreateDefault().Register(new ManualResolverProvider(ResolverResult.ForEndpoints(endpoints))),
            ServiceConfig = "{\"loadBalancingConfig\":[{\"" + policy + "\":{}}]}",
            Tls = tls ?? new TlsOptions { TrustedRoots = [_ca.Certificate] },
            Authority = authority,
        });

    private static async Task<RpcException> FailingCallAsync(BalancedChannel channel)
        => await Assert.ThrowsAsync<RpcException>(() => new Echo.EchoClient(channel).UnaryEchoAsync(new EchoRequest { Message = "tls" }, deadline: DateTime.UtcNow.AddSeconds(10)).ResponseAsync);

    [Fact]
    public async Task RoundRobinOverTlsUsesEachEndpointsOwnServerName()
    {
        var names = new[] { "member1.etcd.local", "member2.etcd.local", "member3.etcd.local" };
        var backends = new List<EchoBackend>();
        foreach (var name in names)
        {
            backends.Add(await StartTlsBackendAsync(_ca.IssueServerCertificate([name])));
        }

        try
        {
            using var channel = Channel(backends.Select((b, i) => Endpoint(b, names[i])).ToArray());
            var client = new Echo.EchoClient(channel);
            var peers = new HashSet<string>();
            for (var i = 0; i < 30 && peers.Count < 3; i++)
            {
                using var call = client.UnaryEchoAsync(new EchoRequest { Message = "tls" }, deadline: DateTime.UtcNow.AddSeconds(10));
                peers.Add((await call.ResponseHeadersAsync).GetPeer()!);
                await call;
            }

            Assert.Equal(backends.Select(b => b.Address).Order(), peers.Order());
            Assert.Equal(names.Order(), channel.Controller.Subchannels.Select(s => s.ServerName!).Order());

            // An address with its own TLS name is reached under that name, :authority included.
            Assert.All(names, n => Assert.Equal(n, _authorities[n]));
        }
        finally
        {
            await ExampleServers.StopAllAsync(backends);
        }
    }

    [Fact]
    public async Task AWrongNameSaysWhichNameWasExpectedAndWhichTheCertificateHas()
    {
        await using var backend = await StartTlsBackendAsync(_ca.IssueServerCertificate(["member1.etcd.local"]));
        using var channel = Channel([Endpoint(backend, "member2.etcd.local")], "pick_first");
        var ex = await FailingCallAsync(channel);
        Assert.Equal(StatusCode.Unavailable, ex.StatusCode);
        Assert.Contains($"TLS handshake with {backend.Address} (server name 'member2.etcd.local') failed", ex.Status.Detail);
        Assert.Contains("certificate is valid for member1.etcd.local, not member2.etcd.local", ex.Status.Detail);
    }

    [Fact]
    public async Task WithoutAPerAddressNameTheTargetHostIsExpected()
    {
        // grpc-go's TLS load_balancing failure: every backend dialled with the channel's name.
        await using var backend = await StartTlsBackendAsync(_ca.IssueServerCertificate(["member1.etcd.local"]));
        using (var channel = Channel([Endpoint(backend, null)], "pick_first", authority: "lb.example.grpc.io"))
        {
            var ex = await FailingCallAsync(channel);
            Assert.Contains("certificate is valid for member1.etcd.local, not lb.example.grpc.io", ex.Status.Detail);
        }

        using (var channel = Channel([Endpoint(backend, null)], "pick_first", authority: "member1.etcd.local"))
        {
            var reply = await new Echo.EchoClient(channel).UnaryEchoAsync(new EchoRequest { Message = "ok" }, deadline: DateTime.UtcNow.AddSeconds(10));
            Assert.StartsWith("ok (from", reply.Message);
        }
    }

    [Fact]
    public async Task AnExpiredCertificateIsReportedAsExpired()
    {
        var now = DateTimeOffset.UtcNow;
        await using var backend = await StartTlsBackendAsync(_ca.IssueServerCertificate(["member1.etcd.local"], now.AddDays(-10), now.AddDays(-1)));
        using var channel = Channel([Endpoint(backend, "member1.etcd.local")], "pick_first");
        var ex = await FailingCallAsync(channel);
        Assert.Equal(StatusCode.Unavailable, ex.StatusCode);
        Assert.Contains("certificate for member1.etcd.local expired on", ex.Status.Detail);
        Assert.DoesNotContain("not trusted", ex.Status.Detail);
    }

    [Fact]
    public async Task ACertificateFromAnUntrustedCaIsReportedAsUntrusted()
    {
        using var otherCa = DevCertificateAuthority.Create("Somebody Else's CA");
        await using var backend = await StartTlsBackendAsync(otherCa.IssueServerCertificate(["member1.etcd.local"]));
        using var channel = Channel([Endpoint(backend, "member1.etcd.local")], "pick_first");
        var ex = await FailingCallAsync(channel);
        Assert.Equal(StatusCode.Unavailable, ex.StatusCode);
        Assert.Contains("certificate for member1.etcd.local is not trusted: issued by 'CN=Somebody Else's CA'", ex.Status.Detail);
        Assert.DoesNotContain("expired", ex.Status.Detail);
    }

    [Fact]
    public async Task MutualTlsAcceptsAGoodClientCertificateAndRefusesAMissingOne()
    {
        await using var backend = await StartTlsBackendAsync(_ca.IssueServerCertificate(["member1.etcd.local"]), clientCa: _ca);
        using (var channel = Channel([Endpoint(backend, "member1.etcd.local")], "pick_first", new TlsOptions
        {
            TrustedRoots = [_ca.Certificate],
            ClientCertificate = _ca.IssueClientCertificate("client.example"),
        }))
        {
            var reply = await new Echo.EchoClient(channel).UnaryEchoAsync(new EchoRequest { Message = "mtls" }, deadline: DateTime.UtcNow.AddSeconds(10));
            Assert.StartsWith("mtls (from", reply.Message);
        }

        using (var channel = Channel([Endpoint(backend, "member1.etcd.local")], "pick_first"))
        {
            var ex = await FailingCallAsync(channel);
            Assert.Equal(StatusCode.Unavailable, ex.StatusCode);
            Assert.Contains(backend.Address, ex.Status.Detail);
        }
    }

    [Fact]
    public async Task ACustomValidationHookCanRejectWithItsOwnReason()
    {
        await using var backend = await StartTlsBackendAsync(_ca.IssueServerCertificate(["member1.etcd.local"]));
        using var channel = Channel([Endpoint(backend, "member1.etcd.local")], "pick_first", new TlsOptions
        {
            TrustedRoots = [_ca.Certificate],
            ValidateServerCertificate = ctx => ctx.Certificate.Thumbprint == "PINNED" ? null : $"thumbprint {ctx.Certificate.Thumbprint} is not pinned for {ctx.ServerName}",
        });
        var ex = await FailingCallAsync(channel);
        Assert.Contains("is not pinned for member1.etcd.local", ex.Status.Detail);
    }

    [Fact]
    public async Task TlsNeverFallsBackToPlaintext()
    {
        await using var plaintext = await EchoBackend.StartLoopbackAsync();
        using var channel = Channel([Endpoint(plaintext, "member1.etcd.local")], "pick_first");
        var ex = await FailingCallAsync(channel);
        Assert.Equal(StatusCode.Unavailable, ex.StatusCode);
        Assert.Equal(0, plaintext.State.Calls);
    }

    [Fact]
    public async Task AnHttpsTargetUsesTlsWithTheTargetHostAsServerName()
    {
        await using var backend = await StartTlsBackendAsync(_ca.IssueServerCertificate(["localhost"]));
        using var channel = BalancedChannel.Create($"https://localhost:{backend.Port}", new BalancedChannelOptions
        {
            Tls = new TlsOptions { TrustedRoots = [_ca.Certificate] },
        });
        var reply = await new Echo.EchoClient(channel).UnaryEchoAsync(new EchoRequest { Message = "https" }, deadline: DateTime.UtcNow.AddSeconds(10));
        Assert.StartsWith("https (from", reply.Message);
        Assert.All(channel.Controller.Subchannels, s => Assert.Equal("localhost", s.ServerName));

        // Without a CA bundle an https target still uses TLS, with the system roots, which do not know our CA.
        using var systemRoots = BalancedChannel.Create($"https://localhost:{backend.Port}");
        var ex = await FailingCallAsync(systemRoots);
        Assert.Contains("is not trusted", ex.Status.Detail);
    }

    [Fact]
    public void AnHttpTargetWithTlsOptionsIsRejected()
    {
        var ex = Assert.Throws<ArgumentException>(() => BalancedChannel.Create("http://localhost:5000", new BalancedChannelOptions { Tls = new TlsOptions() }));
        Assert.Contains("plaintext", ex.Message);
    }
}
