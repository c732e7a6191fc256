namespace Proxyless.Balancing.Policies.RoundRobin;

/// <summary>
/// Rotates over child pickers, starting at a random index so that many clients do not all begin on the same backend.
/// One interlocked increment per pick and no allocation.
/// </summary>
internal sealed class RoundRobinPicker : Picker
{
    private readonly Picker[] _pickers;
    private int _next;

    /// <summary>Creates the picker.</summary>
    /// <param name="pickers">The child pickers (one per READY endpoint); at least one.</param>
    /// <param name="startIndex">The first index to use; random when null.</param>
    public RoundRobinPicker(IReadOnlyList<Picker> pickers, int? startIndex = null)
    {
        ArgumentNullException.ThrowIfNull(pickers);
        if (pickers.Count == 0)
        {
            throw new ArgumentException("At least one picker is needed.", nameof(pickers));
        }

        _pickers = [.. pickers];
        _next = (startIndex ?? System.Random.Shared.Next(_pickers.Length)) - 1;
    }

    /// <summary>The child pickers in rotation order.</summary>
    public IReadOnlyList<Picker> Pickers => _pickers;

    /// <inheritdoc />
    public override PickResult Pick(in PickContext context)
    {
        var pickers = _pickers;
        var index = (uint)Interlocked.Increment(ref _next) % (uint)pickers.Length;
        return pickers[index].Pick(in context);
    }

    /// <inheritdoc />
    public override string ToString() => $"RoundRobin({string.Join(", ", _pickers.Select(p => p.ToString()))})";
}
