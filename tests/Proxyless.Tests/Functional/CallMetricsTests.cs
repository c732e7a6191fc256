using Google.Protobuf;
using Grpc.Examples.Echo;
using Proxyless.Diagnostics;
using Proxyless.Tests.Support;

namespace Proxyless.Tests.Functional;

/// <summary>
/// Per-call (gRFC A66, A96) and message-size instruments on real calls: N calls give N call durations with their
/// status; retries, hedges and transparent retries are counted per call and add up to the attempts made; each attempt
/// records the exact message bytes sent and received. Filtered by each test's own target.
/// </summary>
public sealed class CallMetricsTests : IDisposable
{
    private readonly MetricRecorder _stable = new(ProxylessMeters.Stable);
    private readonly MetricRecorder _experimental = new(ProxylessMeters.Experimental);

    public void Dispose()
    {
        _stable.Dispose();
        _experimental.Dispose();
    }

    private static BalancedChannel Channel(string target, string methodConfig = "") => BalancedChannel.Create(target, new BalancedChannelOptions
    {
        ServiceConfig = """{"loadBalancingConfig":[{"round_robin":{}}]""" + methodConfig + "}",
    });

    [Fact]
    public async Task EveryCallIsTimedWithItsStatusAndEveryAttemptCountsItsMessageBytes()
    {
        await using var backends = await BackendSet.StartAsync(2, (i, o) => o.FailWith = i == 1 ? StatusCode.ResourceExhausted : null);
        var target = backends.Target;
        using var channel = Channel(target);
        await channel.ConnectAsync();
        await Eventually.ReadyAsync(channel, 2, "both READY");
        var client = new Echo.EchoClient(channel);
        var request = new EchoRequest { Message = "metrics" };
        var replySizes = new List<int>();
        for (var i = 0; i < 6; i++)
        {
            try
            {
                replySizes.Add((await client.UnaryEchoAsync(request, deadline: DateTime.UtcNow.AddSeconds(10))).CalculateSize());
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.ResourceExhausted)
            {
            }
        }

        var calls = _stable.Of("grpc.client.call.duration", target);
        Assert.Equal(6, calls.Count);
        Assert.Equal(["OK", "OK", "OK", "RESOURCE_EXHAUSTED", "RESOURCE_EXHAUSTED", "RESOURCE_EXHAUSTED"], calls.Select(c => (string)c.Tags["grpc.status"]!).Order());
        Assert.All(calls, c => Assert.Equal("grpc.examples.echo.Echo/UnaryEcho", c.Tags["grpc.method"]));
        Assert.All(calls, c => Assert.InRange(c.Value, 0, 10));

        var sent = _stable.Of("grpc.client.attempt.sent_total_compressed_message_size", target);
        Assert.Equal(6, sent.Count);
        Assert.All(sent, s => Assert.Equal(request.CalculateSize(), s.Value));
        var received = _stable.Of("grpc.client.attempt.rcvd_total_compressed_message_size", target);
        Assert.Equal(replySizes.Order().Select(s => (double)s).Concat([0, 0, 0]).Order(), received.Select(r => r.Value).Order());

        // No retry policy: no retry, hedge or transparent retry is recorded (A96 leaves zeros out); a delay is, per call.
        Assert.Empty(_experimental.Of("grpc.client.call.retries", target));
        Assert.Empty(_experimental.Of("grpc.client.call.hedges", target));
        Assert.Empty(_experimental.Of("grpc.client.call.transparent_retries", target));
        Assert.Equal(6, _experimental.Of("grpc.client.call.retry_delay", target).Count);

        var perBackend = _stable.Of("proxyless.client.backend.attempts", target).GroupBy(m => (string)m.Tags["proxyless.backend"]!).ToDictionary(g => g.Key, g => g.Sum(m => m.Value));
        Assert.Equal(new Dictionary<string, double> { [backends[0].Address] = 3, [backends[1].Address] = 3 }, perBackend);
    }

    [Fact]
    public async Task RetriesAddUpToTheAttemptsBeyondOnePerCall()
    {
        await using var backends = await BackendSet.StartAsync(2, (i, o) => o.FailWith = i == 1 ? StatusCode.Unavailable : null);
        var target = backends.Target;
        using var channel = Channel(target, """
            ,"methodConfig":[{"name":[{}],"retryPolicy":{"maxAttempts":3,"initialBackoff":"0.01s","maxBackoff":"0.01s","backoffMultiplier":1,"retryableStatusCodes":["UNAVAILABLE"]}}]
            """);
        await channel.ConnectAsync();
        await Eventually.ReadyAsync(channel, 2, "both READY");
        var client = new Echo.EchoClient(channel);
        for (var i = 0; i < 8; i++)
        {
            await client.UnaryEchoAsync(new EchoRequest { Message = "r" }, deadline: DateTime.UtcNow.AddSeconds(10));
        }

        var attempts = _stable.Sum("grpc.client.attempt.started", target);
        var retries = _experimental.Of("grpc.client.call.retries", target);
        Assert.NotEmpty(retries);
        Assert.Equal(attempts - 8, retries.Sum(r => r.Value));
        Assert.Empty(_experimental.Of("grpc.client.call.hedges", target));
        Assert.All(_stable.Of("grpc.client.call.duration", target), c => Assert.Equal("OK", c.Tags["grpc.status"]));
        var delays = _experimental.Of("grpc.client.call.retry_delay", target);
        Assert.Equal(8, delays.Count);
        Assert.Equal(retries.Count, delays.Count(d => d.Value > 0)); // a retried call waited between its attempts
    }

    [Fact]
    public async Task HedgedAttemptsAreHedgesNotRetries()
    {
        await using var backends = await BackendSet.StartAsync(2, (_, o) => o.UnaryDelay = TimeSpan.FromMilliseconds(300));
        var target = backends.Target;
        using var channel = Channel(target, """
            ,"methodConfig":[{"name":[{"service":"grpc.examples.echo.Echo"}],"hedgingPolicy":{"maxAttempts":2,"hedgingDelay":"0.05s"}}]
            """);
        await channel.ConnectAsync();
        await Eventually.ReadyAsync(channel, 2, "both READY");
        var client = new Echo.EchoClient(channel);
        for (var i = 0; i < 3; i++)
        {
            await client.UnaryEchoAsync(new EchoRequest { Message = "h" }, deadline: DateTime.UtcNow.AddSeconds(10));
        }

        var hedges = _experimental.Of("grpc.client.call.hedges", target);
        Assert.Equal(3, hedges.Count);
        Assert.All(hedges, h => Assert.Equal(1, h.Value));
        Assert.Empty(_experimental.Of("grpc.client.call.retries", target));
    }

    [Fact]
    public async Task ACallResentBecauseItsStreamWasRefusedCountsATransparentRetry()
    {
        await using var refusing = new RefusingHttp2Server();
        await using var backends = await BackendSet.StartAsync(1);
        var target = $"ipv4:{refusing.Address},{backends[0].Address}";
        using var channel = Channel(target); // no retry policy
        await channel.ConnectAsync();
        await Eventually.ReadyAsync(channel, 2, "both READY");
        var client = new Echo.EchoClient(channel);
        for (var i = 0; i < 6; i++)
        {
            var reply = await client.UnaryEchoAsync(new EchoRequest { Message = "t" }, deadline: DateTime.UtcNow.AddSeconds(10));
            Assert.Equal($"t (from {backends[0].Address})", reply.Message);
        }

        Assert.True(refusing.Refused > 0);
        var transparent = _experimental.Of("grpc.client.call.transparent_retries", target);
        Assert.NotEmpty(transparent);
        Assert.Equal(_stable.Sum("grpc.client.attempt.started", target) - 6, transparent.Sum(t => t.Value));
        Assert.Empty(_experimental.Of("grpc.client.call.retries", target));
        var refused = _stable.Of("grpc.client.attempt.duration", target).Count(a => (string)a.Tags["grpc.status"]! == "UNAVAILABLE");
        Assert.Equal(transparent.Sum(t => t.Value), refused);
    }

    [Fact]
    public async Task APickThatWaitsForAConnectionIsCountedAndTimed()
    {
        await using var backends = await BackendSet.StartAsync(1);
        var target = backends.Target;
        using var channel = Channel(target);
        await new Echo.EchoClient(channel).UnaryEchoAsync(new EchoRequest { Message = "q" }, deadline: DateTime.UtcNow.AddSeconds(10)); // IDLE: waits

        Assert.Equal(1, _stable.Sum("proxyless.client.pick.queued", target));
        var waited = Assert.Single(_stable.Of("proxyless.client.pick.queue_duration", target));
        Assert.Equal("placed", waited.Tags["proxyless.pick.outcome"]);
        Assert.InRange(waited.Value, 0, 10);
    }

    [Fact]
    public async Task AStreamingCallEndsWithItsStreamOrWhenDisposedEarly()
    {
        await using var backends = await BackendSet.StartAsync(1);
        var target = backends.Target;
        using var channel = Channel(target);
        var client = new Echo.EchoClient(channel);
        using (var call = client.ServerStreamingEcho(new EchoRequest { Message = "s" }, deadline: DateTime.UtcNow.AddSeconds(10)))
        {
            var replies = 0;
            await foreach (var reply in call.ResponseStream.ReadAllAsync())
            {
                replies++;
            }

            Assert.Equal(3, replies);
        }

        using (var call = client.ServerStreamingEcho(new EchoRequest { Message = "s" }, deadline: DateTime.UtcNow.AddSeconds(10)))
        {
            Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None)); // one message, then the application leaves
        }

        var calls = _stable.Of("grpc.client.call.duration", target);
        Assert.Equal(["CANCELLED", "OK"], calls.Select(c => (string)c.Tags["grpc.status"]!).Order());
        Assert.All(calls, c => Assert.Equal("grpc.examples.echo.Echo/ServerStreamingEcho", c.Tags["grpc.method"]));
        var received = _stable.Of("grpc.client.attempt.rcvd_total_compressed_message_size", target).Where(r => (string)r.Tags["grpc.status"]! == "OK");
        Assert.Equal(3 * new EchoResponse { Message = $"s (from {backends[0].Address})" }.CalculateSize(), Assert.Single(received).Value);
    }
}
