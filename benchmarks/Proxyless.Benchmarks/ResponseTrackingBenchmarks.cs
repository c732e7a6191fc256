using System.Net;
using BenchmarkDotNet.Attributes;
using Grpc.Examples.Echo;
using Proxyless.Balancing;
using Proxyless.Calls;
using Proxyless.Examples;
using Proxyless.Transport;

namespace Proxyless.Benchmarks;

/// <summary>
/// What Proxyless adds to a unary response on its way to grpc-dotnet: the attempt's start and end, the response
/// wrapper that sees the call's true end, and grpc-dotnet's reads through it (a zero-byte read, the 5-byte prefix, the
/// message, end of stream), against the same reads of the bare response.
/// </summary>
[MemoryDiagnoser]
public class ResponseTrackingBenchmarks
{
    private static readonly byte[] Body = [0, 0, 0, 0, 7, 10, 5, 98, 101, 110, 99, 104];
    private readonly byte[] _buffer = new byte[4096];
    private EchoBackend _backend = null!;
    private BalancedChannel _channel = null!;
    private HttpSubchannel _subchannel = null!;
    private HttpRequestMessage _request = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _backend = await EchoBackend.StartLoopbackAsync();
        _channel = BalancedChannel.Create("ipv4:" + _backend.Address);
        await new Echo.EchoClient(_channel).UnaryEchoAsync(new EchoRequest { Message = "warm" });
        _request = new HttpRequestMessage(HttpMethod.Post, "http://localhost/grpc.examples.echo.Echo/UnaryEcho");
        _subchannel = (HttpSubchannel)BalancingHandler.Unwrap(_channel.Controller.CurrentPicker.Picker.Pick(new PickContext(_request)).Subchannel)!;
    }

    [Benchmark(Baseline = true, Description = "bare response")]
    public async Task<int> Bare() => await ReadAsync(NewResponse());

    [Benchmark(Description = "attempt + tracked response")]
    public async Task<int> Tracked()
    {
        var attempt = CallAttempt.TryStart(_subchannel, tracker: null, _request, call: null, transparent: false)!;
        return await ReadAsync(attempt.OnResponse(_request, NewResponse()));
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        _channel.Dispose();
        await _backend.DisposeAsync();
    }

    private static HttpResponseMessage NewResponse()
    {
        var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(new MemoryStream(Body, writable: false)) };
        response.Content.Headers.TryAddWithoutValidation("content-type", "application/grpc");
        response.TrailingHeaders.TryAddWithoutValidation("grpc-status", "0");
        return response;
    }

    // What grpc-dotnet does with a unary response: its content type, then its body to the end, then dispose.
    private async Task<int> ReadAsync(HttpResponseMessage response)
    {
        var total = response.Content.Headers.NonValidated.TryGetValues("Content-Type", out _) ? 1 : 0;
        var stream = await response.Content.ReadAsStreamAsync();
        total += await stream.ReadAsync(Memory<byte>.Empty);
        total += await stream.ReadAsync(_buffer.AsMemory(0, 5));
        total += await stream.ReadAsync(_buffer.AsMemory(5, 7));
        total += await stream.ReadAsync(_buffer);
        response.Dispose();
        return total;
    }
}
