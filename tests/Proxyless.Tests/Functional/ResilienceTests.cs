using System.Net;
using System.Net.Sockets;
using Grpc.Examples.Echo;
using Proxyless.Balancing;
using Proxyless.Tests.Support;
using Proxyless.Transport;

namespace Proxyless.Tests.Functional;

public class ResilienceTests
{
    private const string RoundRobinWithRetry = """
        {"loadBalancingConfig":[{"round_robin":{}}],
         "methodConfig":[{"name":[{}],"retryPolicy":{"maxAttempts":5,"initialBackoff":"0.01s","maxBackoff":"0.1s","backoffMultiplier":2,"retryableStatusCodes":["UNAVAILABLE"]}}]}
        """;

    private static Task<EchoResponse> CallAsync(Echo.EchoClient client, bool waitForReady = false, double seconds = 10)
        => client.UnaryEchoAsync(new EchoRequest { Message = "hi" }, new CallOptions(deadline: DateTime.UtcNow.AddSeconds(seconds)).WithWaitForReady(waitForReady)).ResponseAsync;

    private static async Task<int> ClosedPortAsync()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        await Task.Yield();
        return port;
    }

    [Fact]
    public async Task StoppingABackendUnderLoadLosesNoCallWithARetryPolicyAndARestartGetsTrafficAgain()
    {
        await using var backends = await BackendSet.StartAsync(3);
        using var channel = BalancedChannel.Create(backends.Target, new BalancedChannelOptions { ServiceConfig = RoundRobinWithRetry });
        var client = new Echo.EchoClient(channel);
        await BalancingTests.WarmUpAsync(client, backends);

        var failures = 0;
        var completed = 0;
        var errors = new System.Collections.Concurrent.ConcurrentQueue<string>();
        async Task LoopAsync(int calls)
        {
            for (var i = 0; i < calls; i++)
            {
                try
                {
                    await CallAsync(client);
                }
                catch (RpcException ex)
                {
                    errors.Enqueue(ex.Status.ToString() + " :: " + ex.Status.DebugException);
                    Interlocked.Increment(ref failures);
                }

                Interlocked.Increment(ref completed);
            }
        }

        var load = Task.WhenAll(Enumerable.Range(0, 4).Select(_ => LoopAsync(150)));
        await Eventually.TrueAsync(() => Volatile.Read(ref completed) >= 100, "some calls before the stop");
        await backends[1].StopAsync();
        var stoppedCount = backends[1].State.Calls;
        await load;

        Assert.True(failures == 0, string.Join("\n", errors));
        Assert.Equal(600, completed);
        Assert.Equal(stoppedCount, backends[1].State.Calls);

        await backends.RestartAsync(1);
        await Eventually.TrueAsync(
            async () =>
            {
                await CallAsync(client);
                return backends[1].State.Calls > 0;
            },
            "the restarted backend to receive calls again",
            TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task FailFastCallsFailWithTheConnectionErrorAndWaitForReadyCallsWait()
    {
        var port = await ClosedPortAsync();
        using var logging = RecordingLoggerProvider.CreateFactory(out var log);
        int FailedAttempts() => log.Lines.Count(l => l.Contains("retrying in", StringComparison.Ordinal));
        using var channel = BalancedChannel.Create($"ipv4:127.0.0.1:{port}", new BalancedChannelOptions
        {
            LoggerFactory = logging,
            Connection = new ConnectionOptions { Backoff = new() { InitialBackoff = TimeSpan.FromMilliseconds(100), MaxBackoff = TimeSpan.FromMilliseconds(200) } },
        });
        var client = new Echo.EchoClient(channel);

        var ex = await Assert.ThrowsAsync<RpcException>(() => CallAsync(client));
        Assert.Equal(StatusCode.Unavailable, ex.StatusCode);
        Assert.Contains($"127.0.0.1:{port}", ex.Status.Detail);
        Assert.Contains("refused", ex.Status.Detail, StringComparison.OrdinalIgnoreCase);

        var failuresBefore = FailedAttempts();
        var waiting = CallAsync(client, waitForReady: true, seconds: 20);

        // Let it queue through two more failed connection attempts: it must still be waiting.
        await Eventually.TrueAsync(() => FailedAttempts() >= failuresBefore + 2, "two more failed connection attempts");
        Assert.False(waiting.IsCompleted);
        await using var backend = await Examples.EchoBackend.StartAsync(new IPEndPoint(IPAddress.Loopback, port));
        Assert.Equal($"hi (from {backend.Address})", (await waiting).Message);
    }

    [Fact]
    public async Task WaitForReadyCallHonoursItsDeadline()
    {
        var port = await ClosedPortAsync();
        using var channel = BalancedChannel.Create($"ipv4:127.0.0.1:{port}");
        var ex = await Assert.ThrowsAsync<RpcException>(() => CallAsync(new Echo.EchoClient(channel), waitForReady: true, seconds: 0.5));
        Assert.Equal(StatusCode.DeadlineExceeded, ex.StatusCode);
    }

    [Fact]
    public async Task QueuedCallHonoursCancellation()
    {
        var port = await ClosedPortAsync();
        using var channel = BalancedChannel.Create($"ipv4:127.0.0.1:{port}");
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var client = new Echo.EchoClient(channel);
        var ex = await Assert.ThrowsAsync<RpcException>(() => client.UnaryEchoAsync(new EchoRequest(), new CallOptions(cancellationToken: cts.Token).WithWaitForReady()).ResponseAsync);
        Assert.Equal(StatusCode.Cancelled, ex.StatusCode);
    }

    [Fact]
    public async Task ATcpAcceptWithoutAnHttp2AnswerIsNotReady()
    {
        // A "frozen" server: the kernel accepts connections, nobody answers.
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var accepted = new List<Socket>();
        var acceptLoop = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    accepted.Add(await listener.AcceptSocketAsync());
                }
            }
            catch (SocketException)
            {
            }
            catch (ObjectDisposedException)
            {
            }
        });
        try
        {
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            using var channel = BalancedChannel.Create($"ipv4:127.0.0.1:{port}", new BalancedChannelOptions
            {
                Connection = new ConnectionOptions { Backoff = new() { MinConnectTimeout = TimeSpan.FromMilliseconds(500) } },
            });
            var ex = await Assert.ThrowsAsync<RpcException>(() => CallAsync(new Echo.EchoClient(channel)));
            Assert.Equal(StatusCode.Unavailable, ex.StatusCode);
            Assert.Contains("the TCP connection was accepted but the server sent no HTTP/2 SETTINGS", ex.Status.Detail);
            Assert.NotEqual(ConnectivityState.Ready, channel.State);
        }
        finally
        {
            listener.Stop();
            await acceptLoop;
            accepted.ForEach(s => s.Dispose());
        }
    }

    [Fact]
    public async Task ChannelStateFollowsConnectionsAndALostConnectionGoesIdlePromptly()
    {
        await using var backends = await BackendSet.StartAsync(1);
        using var channel = BalancedChannel.Create(backends.Target);
        Assert.Equal(ConnectivityState.Idle, channel.State);

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await channel.ConnectAsync(timeout.Token);
        Assert.Equal(ConnectivityState.Ready, channel.State);
        Assert.Equal(0, backends[0].State.Calls); // the readiness probe is not an echo call

        var changed = channel.WaitForStateChangedAsync(ConnectivityState.Ready, timeout.Token);
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        await backends[0].StopAsync();
        await changed;
        Assert.Equal(ConnectivityState.Idle, channel.State);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(3), $"IDLE took {stopwatch.Elapsed}");
    }

    [Fact]
    public async Task CallTrackerSeesEveryStartEndEvenForCancelledAndFailedCalls()
    {
        var tracker = new CountingTracker();
        await using var backends = await BackendSet.StartAsync(2);
        using var channel = BalancedChannel.Create(backends.Target, new BalancedChannelOptions
        {
            LoadBalancers = Balancing.LoadBalancerRegistry.CreateDefault().Register(new TrackingPolicyProvider(tracker)),
            ServiceConfig = """{"loadBalancingConfig":[{"tracking_round_robin":{}}]}""",
        });
        var client = new Echo.EchoClient(channel);

        // Successful unary and streams.
        await CallAsync(client);
        using (var call = client.ServerStreamingEcho(new EchoRequest { Message = "s" }))
        {
            await foreach (var _ in call.ResponseStream.ReadAllAsync())
            {
            }
        }

        // A server stream the caller abandons after one message.
        using (var cts = new CancellationTokenSource())
        {
            using var call = client.ServerStreamingEcho(new EchoRequest { Message = "s" }, cancellationToken: cts.Token);
            Assert.True(await call.ResponseStream.MoveNext());
            Assert.True(tracker.InFlight > 0, $"the stream is counted while it is open: started {tracker.Started} ended {tracker.Ended} {string.Join(";", tracker.Completions.Select(c => c.Status.ToString()))}");
            cts.Cancel();
        }

        // A bidi stream disposed without completing.
        using (var call = client.BidirectionalStreamingEcho())
        {
            await call.RequestStream.WriteAsync(new EchoRequest { Message = "x" });
            Assert.True(await call.ResponseStream.MoveNext());
        }

        // A failed call: an unknown method answers UNIMPLEMENTED (trailers-only).
        var unknown = new Method<EchoRequest, EchoResponse>(MethodType.Unary, "grpc.examples.echo.Echo", "Missing", MarshallerOf<EchoRequest>(), MarshallerOf<EchoResponse>());
        var ex = await Assert.ThrowsAsync<RpcException>(() => channel.CreateCallInvoker().AsyncUnaryCall(unknown, null, new CallOptions(), new EchoRequest()).ResponseAsync);
        Assert.Equal(StatusCode.Unimplemented, ex.StatusCode);

        await Eventually.TrueAsync(() => tracker.InFlight == 0, "every tracked call to end");
        Assert.Equal(5, tracker.Started);
        Assert.Equal(tracker.Started, tracker.Ended);
        var statuses = tracker.Completions.Select(c => c.Status.StatusCode).ToList();
        Assert.Equal(2, statuses.Count(s => s == StatusCode.OK));
        Assert.Contains(StatusCode.Unimplemented, statuses);
        Assert.Equal(2, statuses.Count(s => s == StatusCode.Cancelled));
        await Eventually.TrueAsync(() => channel.Controller.Subchannels.All(s => s.ActiveCalls == 0), "subchannel call counts back to zero");
    }

    [Fact]
    public async Task CallTrackerGetsTheStatusFromTrailersThatFollowABody()
    {
        var tracker = new CountingTracker();
        await using var backends = await BackendSet.StartAsync(1, (_, o) => o.StreamFailWith = StatusCode.ResourceExhausted);
        using var channel = BalancedChannel.Create(backends.Target, new BalancedChannelOptions
        {
            LoadBalancers = Balancing.LoadBalancerRegistry.CreateDefault().Register(new TrackingPolicyProvider(tracker)),
            ServiceConfig = """{"loadBalancingConfig":[{"tracking_round_robin":{}}]}""",
        });
        var client = new Echo.EchoClient(channel);

        using var call = client.ServerStreamingEcho(new EchoRequest { Message = "s" });
        Assert.True(await call.ResponseStream.MoveNext()); // a body first
        var ex = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext());
        Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);

        await Eventually.TrueAsync(() => tracker.Ended == 1, "the call to end");
        var completion = Assert.Single(tracker.Completions);
        Assert.Equal(StatusCode.ResourceExhausted, completion.Status.StatusCode);
        Assert.EndsWith("fails streams on purpose", completion.Status.Detail, StringComparison.Ordinal);
        Assert.NotNull(completion.Trailers);
    }

    [Fact]
    public async Task DisposingTheChannelClosesEveryConnection()
    {
        await using var backends = await BackendSet.StartAsync(3);
        var channel = BalancedChannel.Create(backends.Target, new BalancedChannelOptions { ServiceConfig = """{"loadBalancingConfig":[{"round_robin":{}}]}""" });
        var client = new Echo.EchoClient(channel);
        await BalancingTests.WarmUpAsync(client, backends);
        Assert.All(backends.All, b => Assert.True(b.OpenConnections >= 1));

        channel.Dispose();
        await Eventually.TrueAsync(() => backends.All.All(b => b.OpenConnections == 0), "servers to see every connection closed");
        Assert.Equal(ConnectivityState.Shutdown, channel.State);
        Assert.Empty(channel.Controller.Subchannels);
    }

    [Fact]
    public async Task AResolverServiceConfigChoosesThePolicyAndABadOneKeepsTheLastGood()
    {
        await using var backends = await BackendSet.StartAsync(2);
        var resolver = new ManualResolverProvider();
        using var channel = BalancedChannel.Create("manual:///svc", new BalancedChannelOptions
        {
            Resolvers = Resolution.ResolverRegistry.CreateDefault().Register(resolver),
        });
        var endpoints = ManualResolverProvider.Endpoints(backends[0], backends[1]).Endpoints!;
        resolver.Push(Resolution.ResolverResult.ForEndpoints(endpoints, Configuration.ServiceConfig.Parse("""{"loadBalancingConfig":[{"round_robin":{}}]}""")));
        var client = new Echo.EchoClient(channel);
        await BalancingTests.WarmUpAsync(client, backends);

        resolver.Push(Resolution.ResolverResult.ForEndpointsWithBadServiceConfig(endpoints, new Status(StatusCode.InvalidArgument, "garbage")));
        resolver.Push(Resolution.ResolverResult.ForEndpoints(endpoints, Configuration.ServiceConfig.Parse("""{"loadBalancingConfig":[{"no_such_policy":{}}]}""")));
        var before = backends.All.Select(b => b.State.Calls).ToArray();
        for (var i = 0; i < 20; i++)
        {
            await CallAsync(client);
        }

        // Still round_robin: both backends keep getting calls.
        Assert.Equal(10, backends[0].State.Calls - before[0]);
        Assert.Equal(10, backends[1].State.Calls - before[1]);
    }

    [Fact]
    public async Task AResolverErrorBeforeAnyEndpointsFailsCallsWithTheResolversMessage()
    {
        var resolver = new ManualResolverProvider(Resolution.ResolverResult.ForFailure(new Status(StatusCode.Unavailable, "registry unreachable: connection refused")));
        using var channel = BalancedChannel.Create("manual:///svc", new BalancedChannelOptions
        {
            Resolvers = Resolution.ResolverRegistry.CreateDefault().Register(resolver),
        });
        var ex = await Assert.ThrowsAsync<RpcException>(() => CallAsync(new Echo.EchoClient(channel)));
        Assert.Equal(StatusCode.Unavailable, ex.StatusCode);
        Assert.Contains("registry unreachable", ex.Status.Detail);
        Assert.Equal(ConnectivityState.TransientFailure, channel.State);

        // Endpoints arriving later make the channel usable.
        await using var backends = await BackendSet.StartAsync(1);
        resolver.Push(ManualResolverProvider.Endpoints(backends[0]));
        Assert.Equal($"hi (from {backends[0].Address})", (await CallAsync(new Echo.EchoClient(channel), waitForReady: true)).Message);
    }

    private static Marshaller<T> MarshallerOf<T>()
        where T : class, Google.Protobuf.IMessage<T>, new()
        => Marshallers.Create<T>(m => Google.Protobuf.MessageExtensions.ToByteArray(m), bytes => new Google.Protobuf.MessageParser<T>(() => new T()).ParseFrom(bytes));
}
