using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Proxyless.Balancing;

/// <summary>
/// Runs queued actions one at a time, in order: the single thread of control for all policy code. Whoever enqueues
/// while nobody is draining drains the queue on its own thread; an action enqueued from inside an action runs after it.
/// </summary>
internal sealed class WorkSerializer(ILogger logger)
{
    private readonly ConcurrentQueue<Action> _queue = new();
    private int _draining;
    private long _busyTicks;
    private long _actionsRun;

    /// <summary>Time spent running actions so far (for diagnostics and the scale benchmark).</summary>
    public TimeSpan BusyTime => TimeSpan.FromSeconds(Volatile.Read(ref _busyTicks) / (double)System.Diagnostics.Stopwatch.Frequency);

    /// <summary>Actions run so far.</summary>
    public long ActionsRun => Volatile.Read(ref _actionsRun);

    /// <summary>Queues an action without running the queue (use inside a lock, then call <see cref="Drain"/> after it).</summary>
    public void Enqueue(Action action) => _queue.Enqueue(action);

    /// <summary>Queues an action and runs the queue unless another thread is already running it.</summary>
    public void Post(Action action)
    {
        _queue.Enqueue(action);
        Drain();
    }

    public void Drain()
    {
        while (!_queue.IsEmpty)
        {
            if (Interlocked.CompareExchange(ref _draining, 1, 0) != 0)
            {
                return; // another thread drains; it re-checks the queue before leaving
            }

            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            try
            {
                while (_queue.TryDequeue(out var action))
                {
                    _actionsRun++;
                    try
                    {
                        action();
                    }
                    catch (Exception ex)
                    {
                        ChannelLog.SerializedActionFailed(logger, ex);
                    }
                }
            }
            finally
            {
                _busyTicks += System.Diagnostics.Stopwatch.GetTimestamp() - started;
                Volatile.Write(ref _draining, 0);
            }
        }
    }
}
