using System.Text.Json;

namespace Proxyless.Discovery;

/// <summary>
/// Reads and writes a <see cref="ServiceInstance"/> as registries store it: System.Text.Json binds the entry to a
/// <see cref="ServiceInstanceDocument"/>, then <see cref="Validate"/> checks every field and names the one that is wrong.
/// </summary>
internal static class ServiceInstanceJson
{
    /// <summary>Serializes an instance, with extra top-level fields (a file registry's heartbeat, host and pid).</summary>
    /// <param name="instance">The instance.</param>
    /// <param name="extra">Additional fields: strings or whole numbers.</param>
    public static string Write(ServiceInstance instance, IReadOnlyDictionary<string, object>? extra = null)
    {
        ArgumentNullException.ThrowIfNull(instance);
        var document = new ServiceInstanceDocument
        {
            Name = instance.Name,
            Version = instance.Version,
            Id = instance.Id,
            Endpoints = [.. instance.Endpoints.Select(e => new ServiceInstanceDocument.EndpointDocument { Addresses = [.. e.Addresses] })],
            Metadata = instance.Metadata.ToDictionary(m => m.Key, m => JsonSerializer.SerializeToElement(m.Value, RegistryJsonContext.Default.String), StringComparer.Ordinal),
            Extra = extra?.ToDictionary(e => e.Key, e => e.Value switch
            {
                string s => JsonSerializer.SerializeToElement(s, RegistryJsonContext.Default.String),
                int n => JsonSerializer.SerializeToElement(n, RegistryJsonContext.Default.Int32),
                _ => throw new ArgumentException($"extra field '{e.Key}' must be a string or an int, not {e.Value.GetType().Name}", nameof(extra)),
            }),
        };
        return JsonSerializer.Serialize(document, RegistryJsonContext.Default.ServiceInstanceDocument);
    }

    /// <summary>Reads and validates an instance.</summary>
    /// <param name="json">The JSON text.</param>
    /// <param name="extra">The fields that are not part of the instance (empty when there are none).</param>
    /// <exception cref="FormatException">The entry is malformed; the message says which field and why.</exception>
    public static ServiceInstance Read(string json, out IReadOnlyDictionary<string, JsonElement> extra)
    {
        ServiceInstanceDocument? document;
        try
        {
            document = JsonSerializer.Deserialize(json, RegistryJsonContext.Default.ServiceInstanceDocument);
        }
        catch (JsonException ex)
        {
            if (!IsWellFormed(json))
            {
                throw new FormatException($"not valid JSON ({ex.Message})", ex);
            }

            // Well-formed JSON that does not bind: a value of the wrong type at ex.Path.
            var field = ex.Path is { Length: > 2 } path && path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : null;
            throw new FormatException(field is null ? "the entry must be a JSON object" : $"'{field}' must be {ExpectedAt(field)}", ex);
        }

        if (document is null)
        {
            throw new FormatException("the entry must be a JSON object");
        }

        extra = document.Extra ?? [];
        return Validate(document);
    }

    /// <summary>Checks a bound entry field by field and builds the instance.</summary>
    /// <exception cref="FormatException">A field is missing or invalid; the message names it.</exception>
    internal static ServiceInstance Validate(ServiceInstanceDocument document)
    {
        var name = Required(document.Name, "name");
        var id = Required(document.Id, "id");
        if (document.Endpoints is not { Count: > 0 } endpointDocuments)
        {
            throw new FormatException("'endpoints' must be a non-empty array");
        }

        var endpoints = new List<InstanceEndpoint>(endpointDocuments.Count);
        for (var i = 0; i < endpointDocuments.Count; i++)
        {
            if (endpointDocuments[i]?.Addresses is not { Count: > 0 } addresses)
            {
                throw new FormatException($"'endpoints[{i}].addresses' must be a non-empty array of \"host:port\" strings");
            }

            foreach (var address in addresses)
            {
                if (address is null || !RegistryAddress.TryParse(address, out _))
                {
                    throw new FormatException($"'endpoints[{i}].addresses' has {(address is null ? "null" : $"\"{address}\"")}, which is not a \"host:port\" address");
                }
            }

            endpoints.Add(new InstanceEndpoint(addresses));
        }

        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in document.Metadata ?? [])
        {
            metadata[key] = value.ValueKind switch
            {
                JsonValueKind.String => value.GetString()!,
                JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => value.GetRawText(),
                _ => throw new FormatException($"'metadata.{key}' must be a string"),
            };
        }

        if (metadata.TryGetValue(InstanceMetadata.Weight, out var weight) && (!int.TryParse(weight, out var w) || w <= 0))
        {
            throw new FormatException($"'metadata.weight' is \"{weight}\", not a positive whole number");
        }

        return new ServiceInstance(name, document.Version ?? "", id, endpoints, metadata);
    }

    /// <summary>A JSON value as an error message shows it: strings quoted, other values as written.</summary>
    internal static string Describe(JsonElement value) => value.ValueKind == JsonValueKind.String ? $"\"{value.GetString()}\"" : value.GetRawText();

    private static string Required(string? value, string field)
        => string.IsNullOrEmpty(value) ? throw new FormatException($"'{field}' must be a non-empty string") : value;

    private static bool IsWellFormed(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    // What the schema has at a field path, for "'endpoints[0].addresses' must be an array of "host:port" strings".
    private static string ExpectedAt(string field)
    {
        var last = field[(field.LastIndexOf('.') + 1)..];
        return last switch
        {
            "name" or "version" or "id" => "a string",
            "endpoints" => "a non-empty array of endpoints",
            "addresses" => "a non-empty array of \"host:port\" strings",
            "metadata" => "an object of strings",
            _ when last.StartsWith("addresses[", StringComparison.Ordinal) => "a \"host:port\" string",
            _ when last.StartsWith("endpoints[", StringComparison.Ordinal) => "an object with \"addresses\"",
            _ => "of another type",
        };
    }
}
