namespace Chaos;

/// <summary>What a chaos run saw.</summary>
/// <param name="Calls">Calls made.</param>
/// <param name="Failures">Calls that failed.</param>
/// <param name="Kills">Backends killed (and restarted).</param>
/// <param name="CallsPerBackend">Successful calls per backend port.</param>
/// <param name="CallsInFlightAfter">Calls the channel still counted in flight after the run (must be 0).</param>
/// <param name="ConnectionsOpenAfterDispose">Connections the servers still saw open after the channel was disposed (must be 0).</param>
/// <param name="Errors">The first few failures' messages.</param>
public sealed record ChaosResult(int Calls, int Failures, int Kills, IReadOnlyDictionary<int, int> CallsPerBackend, int CallsInFlightAfter, int ConnectionsOpenAfterDispose, IReadOnlyList<string> Errors);
