using System.Text.Json;
using System.Text.Json.Serialization;

namespace Proxyless.Discovery;

/// <summary>
/// A <see cref="ServiceInstance"/> as registries store it, bound by System.Text.Json (source-generated, see
/// <see cref="RegistryJsonContext"/>): <c>{"name":"hello","version":"1.0","id":"...","endpoints":[{"addresses":["127.0.0.1:5001"]}],"metadata":{"weight":"3"}}</c>.
/// Fields a registry adds for itself (a file registry's heartbeat, host and pid) are kept in <see cref="Extra"/>.
/// </summary>
internal sealed class ServiceInstanceDocument
{
    public string? Name { get; set; }

    public string? Version { get; set; }

    public string? Id { get; set; }

    public List<EndpointDocument>? Endpoints { get; set; }

    /// <summary>Metadata values; numbers and booleans are accepted and kept as written.</summary>
    public Dictionary<string, JsonElement>? Metadata { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }

    internal sealed class EndpointDocument
    {
        public List<string>? Addresses { get; set; }
    }
}
