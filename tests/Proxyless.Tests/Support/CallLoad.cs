using System.Collections.Concurrent;
using Grpc.Examples.Echo;

namespace Proxyless.Tests.Support;

/// <summary>
/// Callers making unary calls in a loop until stopped (or a call budget is spent), counting what succeeded and
/// keeping the first errors. Bounded: every call has a deadline and the load stops at <see cref="StopAsync"/>.
/// </summary>
internal sealed class CallLoad
{
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<string> _errors = new();
    private readonly Task _callers;
    private int _succeeded;
    private int _failed;

    private CallLoad(Echo.EchoClient client, int callers, TimeSpan deadline, int maxCalls)
    {
        var budget = maxCalls;
        _callers = Task.WhenAll(Enumerable.Range(0, callers).Select(_ => Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested && Interlocked.Decrement(ref budget) >= 0)
            {
                try
                {
                    await client.UnaryEchoAsync(new EchoRequest { Message = "load" }, deadline: DateTime.UtcNow + deadline);
                    Interlocked.Increment(ref _succeeded);
                }
                catch (RpcException ex)
                {
                    Interlocked.Increment(ref _failed);
                    if (_errors.Count < 10)
                    {
                        _errors.Enqueue($"{ex.StatusCode}: {ex.Status.Detail}");
                    }
                }
            }
        })));
    }

    public int Succeeded => Volatile.Read(ref _succeeded);

    public int Failed => Volatile.Read(ref _failed);

    public int Completed => Succeeded + Failed;

    public string Errors => string.Join("\n", _errors);

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
