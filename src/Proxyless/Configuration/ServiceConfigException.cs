namespace Proxyless.Configuration;

/// <summary>
/// Thrown when a gRPC service config (or one policy's part of it) is not valid.
/// The message names the JSON field that was wrong, e.g. <c>methodConfig[0].retryPolicy.maxAttempts</c>.
/// </summary>
public sealed class ServiceConfigException : Exception
{
    /// <summary>Creates the exception for the field at <paramref name="fieldPath"/>.</summary>
    /// <param name="fieldPath">JSON path of the offending field, e.g. <c>loadBalancingConfig[0].round_robin</c>.</param>
    /// <param name="problem">What is wrong with it.</param>
    /// <param name="inner">The underlying parse error, if any.</param>
    public ServiceConfigException(string fieldPath, string problem, Exception? inner = null)
        : base(string.IsNullOrEmpty(fieldPath) ? $"Invalid service config: {problem}" : $"Invalid service config at '{fieldPath}': {problem}", inner)
    {
        FieldPath = fieldPath;
        Problem = problem;
    }

    /// <summary>JSON path of the field that was wrong ("" for the document as a whole).</summary>
    public string FieldPath { get; }

    /// <summary>What was wrong with the field.</summary>
    public string Problem { get; }
}
