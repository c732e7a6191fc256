using System.Text.Json.Serialization;

namespace Proxyless.Discovery;

/// <summary>Source-generated System.Text.Json metadata for registry entries.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ServiceInstanceDocument))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(int))]
internal sealed partial class RegistryJsonContext : JsonSerializerContext;
