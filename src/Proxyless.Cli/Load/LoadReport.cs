namespace Proxyless.Cli.Load;

/// <summary>The outcome of a load run, as <c>--format json</c> prints it.</summary>
internal sealed record LoadReport
{
    public required string Target { get; init; }

    public required string Policy { get; init; }

    public required string Call { get; init; }

    public required int Concurrency { get; init; }

    public required double DurationSeconds { get; init; }

    public required long Calls { get; init; }

    public required long Ok { get; init; }

    public required double CallsPerSecond { get; init; }

    /// <summary>Latency of the calls that succeeded, in milliseconds.</summary>
    public required LatencyReport LatencyMs { get; init; }

    /// <summary>Failed calls by gRPC status name.</summary>
    public required SortedDictionary<string, long> Errors { get; init; }

    /// <summary>Calls served per backend address.</summary>
    public required SortedDictionary<string, long> Backends { get; init; }
}
