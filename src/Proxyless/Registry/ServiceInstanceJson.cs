using System.Text.Json;
using System.Text.Json.Serialization;

namespace Proxyless.Registry;

/// <summary>
/// The JSON form of a <see cref="ServiceInstance"/> in registries:
/// <c>{"name":"hello","version":"1.0","id":"...","endpoints":[{"addresses":["127.0.0.1:5001"]}],"metadata":{"weight":"3"}}</c>.
/// Reading checks every field and says what is wrong.
/// </summary>
public static class ServiceInstanceJson
{
    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>Serializes an instance (extra fields, such as a file registry's heartbeat, may be added).</summary>
    /// <param name="instance">The instance.</param>
    /// <param name="extra">Additional top-level fields.</param>
    public static string Write(ServiceInstance instance, IReadOnlyDictionary<string, object>? extra = null)
    {
        ArgumentNullException.ThrowIfNull(instance);
        var document = new Dictionary<string, object>
        {
            ["name"] = instance.Name,
            ["version"] = instance.Version,
            ["id"] = instance.Id,
            ["endpoints"] = instance.Endpoints.Select(e => new Dictionary<string, object> { ["addresses"] = e.Addresses }).ToArray(),
            ["metadata"] = instance.Metadata,
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, object>())
        {
            document[key] = value;
        }

        return JsonSerializer.Serialize(document, Options);
    }

    /// <summary>Reads and validates an instance.</summary>
    /// <param name="json">The JSON text.</param>
    /// <param name="root">The parsed document, for callers that read extra fields.</param>
    /// <exception cref="FormatException">The entry is malformed; the message says which field and why.</exception>
    public static ServiceInstance Read(string json, out JsonElement root)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            root = doc.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            throw new FormatException($"not valid JSON ({ex.Message})", ex);
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException("the entry must be a JSON object");
        }

        var name = RequiredString(root, "name");
        var version = root.TryGetProperty("version", out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : "";
        var id = RequiredString(root, "id");
        if (!root.TryGetProperty("endpoints", out var endpointsJson) || endpointsJson.ValueKind != JsonValueKind.Array || endpointsJson.GetArrayLength() == 0)
        {
            throw new FormatException("'endpoints' must be a non-empty array");
        }

        var endpoints = new List<InstanceEndpoint>();
        var index = 0;
        foreach (var endpoint in endpointsJson.EnumerateArray())
        {
            if (endpoint.ValueKind != JsonValueKind.Object || !endpoint.TryGetProperty("addresses", out var addressesJson)
                || addressesJson.ValueKind != JsonValueKind.Array || addressesJson.GetArrayLength() == 0)
            {
                throw new FormatException($"'endpoints[{index}].addresses' must be a non-empty array of \"host:port\" strings");
            }

            var addresses = new List<string>();
            foreach (var address in addressesJson.EnumerateArray())
            {
                if (address.ValueKind != JsonValueKind.String || !RegistryAddress.TryParse(address.GetString()!, out _))
                {
                    throw new FormatException($"'endpoints[{index}].addresses' has {Describe(address)}, which is not a \"host:port\" address");
                }

                addresses.Add(address.GetString()!);
            }

            endpoints.Add(new InstanceEndpoint(addresses));
            index++;
        }

        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        if (root.TryGetProperty("metadata", out var metadataJson) && metadataJson.ValueKind != JsonValueKind.Null)
        {
            if (metadataJson.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException("'metadata' must be an object of strings");
            }

            foreach (var property in metadataJson.EnumerateObject())
            {
                metadata[property.Name] = property.Value.ValueKind switch
                {
                    JsonValueKind.String => property.Value.GetString()!,
                    JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => property.Value.GetRawText(),
                    _ => throw new FormatException($"'metadata.{property.Name}' must be a string"),
                };
            }
        }

        if (metadata.TryGetValue(InstanceMetadata.Weight, out var weight) && (!int.TryParse(weight, out var w) || w <= 0))
        {
            throw new FormatException($"'metadata.weight' is \"{weight}\", not a positive whole number");
        }

        return new ServiceInstance(name, version, id, endpoints, metadata);
    }

    private static string RequiredString(JsonElement root, string field)
        => root.TryGetProperty(field, out var value) && value.ValueKind == JsonValueKind.String && value.GetString()!.Length > 0
            ? value.GetString()!
            : throw new FormatException($"'{field}' must be a non-empty string");

    /// <summary>A JSON value as an error message shows it: strings quoted, other values as written.</summary>
    internal static string Describe(JsonElement value) => value.ValueKind == JsonValueKind.String ? $"\"{value.GetString()}\"" : value.GetRawText();
}
