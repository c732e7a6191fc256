using Microsoft.Extensions.Logging;

namespace Proxyless.Xds.ControlPlane;

/// <summary>Options for <see cref="XdsControlPlane.StartAsync"/>.</summary>
public sealed class XdsControlPlaneOptions
{
    /// <summary>The loopback port to listen on; 0 (the default) picks a free one.</summary>
    public int Port { get; set; }

    /// <summary>Listen on [::1] instead of 127.0.0.1.</summary>
    public bool UseIPv6 { get; set; }

    /// <summary>Where the control plane logs (NACKs received at Information); none by default.</summary>
    public ILoggerFactory? LoggerFactory { get; set; }
}
