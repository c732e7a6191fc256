namespace Proxyless.Xds.Bootstrap;

/// <summary>One entry of <c>xds_servers</c>: where the control plane is and how to reach it.</summary>
/// <param name="ServerUri">The control plane's target (<c>dns:///xds.example:443</c>, <c>127.0.0.1:18000</c>).</param>
/// <param name="Credentials">The first supported entry of <c>channel_creds</c>.</param>
/// <param name="Features">The <c>server_features</c> as given.</param>
internal sealed record XdsServerConfig(string ServerUri, XdsChannelCredentials Credentials, IReadOnlyList<string> Features)
{
    /// <summary>gRFC A53: a resource the server deletes is kept.</summary>
    public bool IgnoreResourceDeletion => Features.Contains("ignore_resource_deletion");

    /// <summary>gRFC A88: a data error drops a cached resource instead of keeping it.</summary>
    public bool FailOnDataErrors => Features.Contains("fail_on_data_errors");
}
