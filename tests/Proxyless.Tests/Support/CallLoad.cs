using System.Collections.Concurrent;
using Grpc.Examples.Echo;

namespace Proxyless.Tests.Support;

/// <summary>
/// Callers making unary calls in a loop until stopped (or a call budget is spent), counting what succeeded and
/// keeping the failures. Each call carries a unique <c>call-id</c> header, so a test can match failed calls with what
/// a server reports having received. Bounded: every call has a deadline and the load stops at <see cref="StopAsync"/>.
/// </summary>
internal sealed class CallLoad
{
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<(string CallId, RpcException Error)> _failures = new();
    private readonly Task _callers;
    private int _succeeded;
    private int _failed;

    private CallLoad(Echo.EchoClient client, int callers, TimeSpan deadline, int maxCalls)
    {
        var budget = maxCalls;
        var next = 0;
        _callers = Task.WhenAll(Enumerable.Range(0, callers).Select(_ => Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested && Interlocked.Decrement(ref budget) >= 0)
            {
                var callId = "c" + Interlocked.Increment(ref next).ToString(System.Globalization.CultureInfo.InvariantCulture);
                try
                {
                    await client.UnaryEchoAsync(new EchoRequest { Message = "load" }, new Metadata { { "call-id", callId } }, DateTime.UtcNow + deadline);
                    Interlocked.Increment(ref _succeeded);
                }
                catch (RpcException ex)
                {
                    Interlocked.Increment(ref _failed);
                    _failures.Enqueue((callId, ex));
                }
            }
        })));
    }

    public int Succeeded => Volatile.Read(ref _succeeded);

    public int Failed => Volatile.Read(ref _failed);

    public int Completed => Succeeded + Failed;

    /// <summary>The failed calls: their call ids and errors.</summary>
    public IReadOnlyCollection<(string CallId, RpcException Error)> Failures => _failures;

    /// <summary>The first failures, one per line, for assertion messages.</summary>
    public string Errors => string.Join("\n", _failures.Take(10).Select(f => $"{f.CallId} {f.Error.StatusCode}: {f.Error.Status.Detail}"));

    public static CallLoad Start(Echo.EchoClient client, int callers, TimeSpan? deadline = null, int maxCalls = 200_000)
        => new(client, callers, deadline ?? TimeSpan.FromSeconds(10), maxCalls);

    /// <summary>Waits until <paramref name="more"/> further calls have completed.</summary>
    public Task WaitForMoreCallsAsync(int more, string what)
    {
        var target = Completed + more;
        return Eventually.TrueAsync(() => Completed >= target || _callers.IsCompleted, what, TimeSpan.FromSeconds(30));
    }

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await _callers;
    }
}
