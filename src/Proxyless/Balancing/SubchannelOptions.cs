namespace Proxyless.Balancing;

/// <summary>Options for a subchannel a policy creates.</summary>
public sealed record SubchannelOptions
{
    /// <summary>
    /// Run client-side health checking (gRFC A17) on this subchannel when the service config has a
    /// <c>healthCheckConfig</c>: the subchannel reports READY only while the server says SERVING. As in gRFC A61,
    /// pick_first children of a delegating policy (round_robin, <see cref="EndpointSharding"/>) turn this on;
    /// pick_first at the top level does not.
    /// </summary>
    public bool HealthCheck { get; init; }

    /// <summary>Health checking on.</summary>
    public static SubchannelOptions WithHealthCheck { get; } = new() { HealthCheck = true };
}
