using Proxyless.Balancing;

namespace Proxyless.Calls;

/// <summary>The picker in force and a task that completes when the next one is published (so queued calls wait without polling).</summary>
internal sealed class PickerSnapshot(Picker picker)
{
    private readonly TaskCompletionSource _replaced = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Picker Picker { get; } = picker;

    public Task WaitForNextAsync(CancellationToken cancellationToken) => _replaced.Task.WaitAsync(cancellationToken);

    public void MarkReplaced() => _replaced.TrySetResult();
}
