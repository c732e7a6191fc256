namespace Proxyless.Configuration;

/// <summary>
/// The service config's <c>healthCheckConfig</c> (gRFC A17): which service name subchannels watch
/// with <c>grpc.health.v1.Health/Watch</c>.
/// </summary>
/// <param name="ServiceName">The service name to check; empty means the server as a whole.</param>
public sealed record HealthCheckConfig(string ServiceName);
