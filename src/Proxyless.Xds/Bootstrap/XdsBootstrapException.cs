namespace Proxyless.Xds.Bootstrap;

/// <summary>
/// Thrown when gRPC's xDS bootstrap (from <c>GRPC_XDS_BOOTSTRAP</c>, <c>GRPC_XDS_BOOTSTRAP_CONFIG</c> or options) cannot
/// be used. The message names where it came from and the field that was wrong, e.g.
/// <c>xds_servers[0].channel_creds</c>.
/// </summary>
public sealed class XdsBootstrapException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="source">Where the bootstrap came from (<c>GRPC_XDS_BOOTSTRAP=/etc/grpc/bootstrap.json</c>, ...).</param>
    /// <param name="fieldPath">JSON path of the offending field ("" for the document as a whole).</param>
    /// <param name="problem">What is wrong with it.</param>
    /// <param name="inner">The underlying error, if any.</param>
    public XdsBootstrapException(string source, string fieldPath, string problem, Exception? inner = null)
        : base(string.IsNullOrEmpty(fieldPath) ? $"xDS bootstrap ({source}): {problem}" : $"xDS bootstrap ({source}) at '{fieldPath}': {problem}", inner)
    {
        Source = source;
        FieldPath = fieldPath;
        Problem = problem;
    }

    /// <summary>Where the bootstrap came from.</summary>
    public new string Source { get; }

    /// <summary>JSON path of the field that was wrong ("" for the document as a whole).</summary>
    public string FieldPath { get; }

    /// <summary>What was wrong.</summary>
    public string Problem { get; }
}
