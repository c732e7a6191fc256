using Grpc.Core;
using Proxyless.Configuration;

namespace Proxyless.Resolution;

/// <summary>What a resolver reports: a list of endpoints (and optionally a service config), or an error.</summary>
public sealed class ResolverResult
{
    private ResolverResult(IReadOnlyList<BackendEndpoint>? endpoints, Status error, ServiceConfig? serviceConfig, Status serviceConfigError, Attributes attributes)
    {
        Endpoints = endpoints;
        Error = error;
        ServiceConfig = serviceConfig;
        ServiceConfigError = serviceConfigError;
        Attributes = attributes;
    }

    /// <summary>The endpoints, or null when resolution failed.</summary>
    public IReadOnlyList<BackendEndpoint>? Endpoints { get; }

    /// <summary>The resolution error; <see cref="StatusCode.OK"/> when <see cref="Endpoints"/> is set.</summary>
    public Status Error { get; }

    /// <summary>A service config supplied by the resolver, or null.</summary>
    public ServiceConfig? ServiceConfig { get; }

    /// <summary>Why the resolver's service config could not be used; OK when there was no problem.</summary>
    public Status ServiceConfigError { get; }

    /// <summary>Attributes of the whole result.</summary>
    public Attributes Attributes { get; }

    /// <summary>A successful resolution.</summary>
    /// <param name="endpoints">The endpoints (may be empty: the policy then reports the channel unavailable).</param>
    /// <param name="serviceConfig">A service config from the resolver, or null to keep the channel's default.</param>
    /// <param name="attributes">Attributes of the result.</param>
    public static ResolverResult ForEndpoints(IReadOnlyList<BackendEndpoint> endpoints, ServiceConfig? serviceConfig = null, Attributes? attributes = null)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        return new(endpoints, Status.DefaultSuccess, serviceConfig, Status.DefaultSuccess, attributes ?? Attributes.Empty);
    }

    /// <summary>A successful resolution whose service config was bad: the channel keeps its last good config and logs this error.</summary>
    /// <param name="endpoints">The endpoints.</param>
    /// <param name="serviceConfigError">What was wrong with the service config.</param>
    /// <param name="attributes">Attributes of the result.</param>
    public static ResolverResult ForEndpointsWithBadServiceConfig(IReadOnlyList<BackendEndpoint> endpoints, Status serviceConfigError, Attributes? attributes = null)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        return new(endpoints, Status.DefaultSuccess, null, serviceConfigError, attributes ?? Attributes.Empty);
    }

    /// <summary>A failed resolution.</summary>
    /// <param name="error">What went wrong; must not be OK.</param>
    public static ResolverResult ForFailure(Status error)
    {
        if (error.StatusCode == StatusCode.OK)
        {
            throw new ArgumentException("A failure needs a non-OK status.", nameof(error));
        }

        return new(null, error, null, Status.DefaultSuccess, Attributes.Empty);
    }

    /// <inheritdoc />
    public override string ToString()
        => Endpoints is null ? $"error: {Error.StatusCode} {Error.Detail}" : $"{Endpoints.Count} endpoint(s): {string.Join(", ", Endpoints)}";
}
