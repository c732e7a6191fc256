using Proxyless.Resolution;

namespace Proxyless.Discovery;

/// <summary>Well-known metadata keys of <see cref="ServiceInstance"/>, and the endpoint attributes they become.</summary>
public static class InstanceMetadata
{
    /// <summary>Relative weight (positive integer) for weighted policies.</summary>
    public const string Weight = "weight";

    /// <summary>Zone or locality.</summary>
    public const string Zone = "zone";

    /// <summary>TLS server name to verify at the instance's addresses.</summary>
    public const string ServerName = "serverName";

    /// <summary>Protocol: <c>grpc</c> (h2c) or <c>grpcs</c> (TLS).</summary>
    public const string Protocol = "protocol";

    /// <summary>Endpoint attribute: the instance's weight.</summary>
    public static readonly AttributeKey<int> WeightAttribute = EndpointAttributes.Weight;

    /// <summary>Endpoint attribute: the whole instance the endpoint came from.</summary>
    public static readonly AttributeKey<ServiceInstance> InstanceAttribute = new("service-instance");
}
