using System.Text.Json;

namespace Proxyless.Xds.Bootstrap;

/// <summary>
/// gRPC's xDS bootstrap (gRFC A27, with A47's authorities and A65's TLS files): the control planes, the node this client
/// presents, and how listener names are made from targets. Parsed strictly: a missing or mistyped field fails with its
/// path; fields this client does not use (server-side templates, certificate providers, unknown names) are kept as
/// warnings for the channel to log, never dropped silently.
/// </summary>
internal sealed class XdsBootstrap
{
    /// <summary>The environment variable naming a bootstrap file.</summary>
    public const string FileVariable = "GRPC_XDS_BOOTSTRAP";

    /// <summary>The environment variable holding the bootstrap JSON itself.</summary>
    public const string ConfigVariable = "GRPC_XDS_BOOTSTRAP_CONFIG";

    private XdsBootstrap(
        IReadOnlyList<XdsServerConfig> servers,
        XdsNode node,
        IReadOnlyDictionary<string, XdsAuthority> authorities,
        string listenerTemplate,
        IReadOnlyList<string> warnings)
    {
        Servers = servers;
        Node = node;
        Authorities = authorities;
        ClientDefaultListenerResourceNameTemplate = listenerTemplate;
        Warnings = warnings;
    }

    /// <summary>The top-level <c>xds_servers</c> (at least one).</summary>
    public IReadOnlyList<XdsServerConfig> Servers { get; }

    /// <summary>The <c>node</c> (empty fields when absent).</summary>
    public XdsNode Node { get; }

    /// <summary>The <c>authorities</c>, by name.</summary>
    public IReadOnlyDictionary<string, XdsAuthority> Authorities { get; }

    /// <summary>How an <c>xds:///name</c> target becomes a listener name (<c>%s</c> is replaced by the name).</summary>
    public string ClientDefaultListenerResourceNameTemplate { get; }

    /// <summary>Fields present but not used by this client, in words.</summary>
    public IReadOnlyList<string> Warnings { get; }

    /// <summary>
    /// Reads the bootstrap the way gRPC does: the file named by <c>GRPC_XDS_BOOTSTRAP</c>, else the JSON in
    /// <c>GRPC_XDS_BOOTSTRAP_CONFIG</c>.
    /// </summary>
    /// <param name="getVariable">Reads an environment variable (null when unset).</param>
    /// <param name="readFile">Reads a file's text.</param>
    /// <exception cref="XdsBootstrapException">Neither is set, the file cannot be read, or the JSON is not valid.</exception>
    public static XdsBootstrap FromEnvironment(Func<string, string?> getVariable, Func<string, string> readFile)
    {
        ArgumentNullException.ThrowIfNull(getVariable);
        ArgumentNullException.ThrowIfNull(readFile);
        if (getVariable(FileVariable) is { Length: > 0 } file)
        {
            var source = $"{FileVariable}={file}";
            string text;
            try
            {
                text = readFile(file);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new XdsBootstrapException(source, "", $"the file cannot be read: {ex.Message}", ex);
            }

            return Parse(text, source);
        }

        if (getVariable(ConfigVariable) is { Length: > 0 } json)
        {
            return Parse(json, ConfigVariable);
        }

        throw new XdsBootstrapException("environment", "", $"no bootstrap: set {FileVariable} to a bootstrap file or {ConfigVariable} to its JSON");
    }

    /// <summary>Parses bootstrap JSON.</summary>
    /// <param name="json">The document.</param>
    /// <param name="source">Where it came from, for error messages.</param>
    /// <exception cref="XdsBootstrapException">The document is not a valid bootstrap.</exception>
    public static XdsBootstrap Parse(string json, string source)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException ex)
        {
            throw new XdsBootstrapException(source, "", $"not valid JSON: {ex.Message}", ex);
        }

        using (document)
        {
            return new Reader(source).Read(document.RootElement);
        }
    }

    // One pass over the document; collects warnings and throws at the first error.
    private sealed class Reader(string source)
    {
        private static readonly string[] KnownFields =
        [
            "xds_servers", "node", "authorities", "client_default_listener_resource_name_template",
            "server_listener_resource_name_template", "certificate_providers",
        ];

        private readonly List<string> _warnings = [];

        public XdsBootstrap Read(JsonElement root)
        {
            RequireObject(root, "");
            foreach (var field in root.EnumerateObject())
            {
                if (Array.IndexOf(KnownFields, field.Name) < 0)
                {
                    _warnings.Add($"'{field.Name}': unknown field, ignored");
                }
            }

            if (!root.TryGetProperty("xds_servers", out var servers) || servers.ValueKind == JsonValueKind.Null)
            {
                throw Error("xds_servers", "is required: the control planes to talk to");
            }

            var serverList = ReadServers(servers, "xds_servers");
            if (serverList.Count == 0)
            {
                throw Error("xds_servers", "must list at least one server");
            }

            var node = root.TryGetProperty("node", out var n) && n.ValueKind != JsonValueKind.Null ? ReadNode(n) : new XdsNode("", "", "", "", "", null);
            var template = OptionalString(root, "client_default_listener_resource_name_template", "") ?? "%s";
            var authorities = root.TryGetProperty("authorities", out var a) && a.ValueKind != JsonValueKind.Null
                ? ReadAuthorities(a)
                : new Dictionary<string, XdsAuthority>(StringComparer.Ordinal);
            foreach (var ignored in new[] { "server_listener_resource_name_template", "certificate_providers" })
            {
                if (root.TryGetProperty(ignored, out _))
                {
                    _warnings.Add($"'{ignored}': used by xDS servers and xDS credentials, which Proxyless does not support; ignored");
                }
            }

            return new XdsBootstrap(serverList, node, authorities, template, _warnings);
        }

        private List<XdsServerConfig> ReadServers(JsonElement array, string path)
        {
            if (array.ValueKind != JsonValueKind.Array)
            {
                throw Error(path, $"expected a list but found {Proxyless.Configuration.ConfigObject.Describe(array)}");
            }

            var servers = new List<XdsServerConfig>();
            var i = 0;
            foreach (var server in array.EnumerateArray())
            {
                servers.Add(ReadServer(server, $"{path}[{i++}]"));
            }

            return servers;
        }

        private XdsServerConfig ReadServer(JsonElement server, string path)
        {
            RequireObject(server, path);
            var uri = OptionalString(server, "server_uri", path);
            if (string.IsNullOrWhiteSpace(uri))
            {
                throw Error(Join(path, "server_uri"), "is required: the control plane's target, e.g. \"dns:///xds.example.com:443\"");
            }

            if (!server.TryGetProperty("channel_creds", out var creds) || creds.ValueKind == JsonValueKind.Null)
            {
                throw Error(Join(path, "channel_creds"), "is required: a list such as [{\"type\": \"insecure\"}]");
            }

            var credentials = ReadCredentials(creds, Join(path, "channel_creds"));
            var features = new List<string>();
            if (server.TryGetProperty("server_features", out var f) && f.ValueKind != JsonValueKind.Null)
            {
                features.AddRange(StringList(f, Join(path, "server_features")));
            }

            return new XdsServerConfig(uri, credentials, features);
        }

        // The first entry whose type this client supports, as gRPC picks it; the others are not errors.
        private XdsChannelCredentials ReadCredentials(JsonElement array, string path)
        {
            if (array.ValueKind != JsonValueKind.Array)
            {
                throw Error(path, $"expected a list but found {Proxyless.Configuration.ConfigObject.Describe(array)}");
            }

            var seen = new List<string>();
            var i = 0;
            foreach (var entry in array.EnumerateArray())
            {
                var entryPath = $"{path}[{i++}]";
                RequireObject(entry, entryPath);
                var type = OptionalString(entry, "type", entryPath) ?? throw Error(Join(entryPath, "type"), "is required");
                seen.Add(type);
                if (!XdsChannelCredentials.Supported.Contains(type))
                {
                    continue;
                }

                var config = entry.TryGetProperty("config", out var c) && c.ValueKind != JsonValueKind.Null ? c : default;
                if (config.ValueKind != JsonValueKind.Undefined)
                {
                    RequireObject(config, Join(entryPath, "config"));
                }

                if (type == "insecure" || config.ValueKind == JsonValueKind.Undefined)
                {
                    return new XdsChannelCredentials(type);
                }

                var configPath = Join(entryPath, "config");
                var ca = OptionalString(config, "ca_certificate_file", configPath);
                var certificate = OptionalString(config, "certificate_file", configPath);
                var key = OptionalString(config, "private_key_file", configPath);
                if ((certificate is null) != (key is null))
                {
                    throw Error(configPath, "certificate_file and private_key_file must be given together (a client certificate needs its key)");
                }

                return new XdsChannelCredentials(type, ca, certificate, key);
            }

            throw Error(path, seen.Count == 0
                ? "must list at least one credential type, e.g. [{\"type\": \"insecure\"}]"
                : $"none of the types listed ({string.Join(", ", seen)}) is supported; supported: {string.Join(", ", XdsChannelCredentials.Supported)}");
        }

        private XdsNode ReadNode(JsonElement node)
        {
            RequireObject(node, "node");
            string region = "", zone = "", subZone = "";
            if (node.TryGetProperty("locality", out var locality) && locality.ValueKind != JsonValueKind.Null)
            {
                RequireObject(locality, "node.locality");
                region = OptionalString(locality, "region", "node.locality") ?? "";
                zone = OptionalString(locality, "zone", "node.locality") ?? "";
                subZone = OptionalString(locality, "sub_zone", "node.locality") ?? "";
            }

            JsonElement? metadata = null;
            if (node.TryGetProperty("metadata", out var m) && m.ValueKind != JsonValueKind.Null)
            {
                RequireObject(m, "node.metadata");
                metadata = m.Clone();
            }

            return new XdsNode(OptionalString(node, "id", "node") ?? "", OptionalString(node, "cluster", "node") ?? "", region, zone, subZone, metadata);
        }

        private Dictionary<string, XdsAuthority> ReadAuthorities(JsonElement authorities)
        {
            RequireObject(authorities, "authorities");
            var result = new Dictionary<string, XdsAuthority>(StringComparer.Ordinal);
            foreach (var property in authorities.EnumerateObject())
            {
                var path = $"authorities[\"{property.Name}\"]";
                RequireObject(property.Value, path);
                List<XdsServerConfig>? servers = null;
                if (property.Value.TryGetProperty("xds_servers", out var s) && s.ValueKind != JsonValueKind.Null)
                {
                    servers = ReadServers(s, Join(path, "xds_servers"));
                }

                // gRFC A47: an authority's template names resources in that authority.
                var prefix = $"xdstp://{property.Name}/";
                var template = OptionalString(property.Value, "client_listener_resource_name_template", path) ?? prefix + "envoy.config.listener.v3.Listener/%s";
                if (!template.StartsWith(prefix, StringComparison.Ordinal))
                {
                    throw Error(Join(path, "client_listener_resource_name_template"), $"must start with \"{prefix}\", the authority's own resource names");
                }

                result[property.Name] = new XdsAuthority(property.Name, servers is { Count: > 0 } ? servers : null, template);
            }

            return result;
        }

        private string? OptionalString(JsonElement parent, string name, string path)
        {
            if (!parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            return value.ValueKind == JsonValueKind.String
                ? value.GetString()!
                : throw Error(Join(path, name), $"expected a string but found {Proxyless.Configuration.ConfigObject.Describe(value)}");
        }

        private IEnumerable<string> StringList(JsonElement array, string path)
        {
            if (array.ValueKind != JsonValueKind.Array)
            {
                throw Error(path, $"expected a list of strings but found {Proxyless.Configuration.ConfigObject.Describe(array)}");
            }

            var i = 0;
            foreach (var item in array.EnumerateArray())
            {
                yield return item.ValueKind == JsonValueKind.String
                    ? item.GetString()!
                    : throw Error($"{path}[{i}]", $"expected a string but found {Proxyless.Configuration.ConfigObject.Describe(item)}");
                i++;
            }
        }

        private void RequireObject(JsonElement element, string path)
        {
            if (element.ValueKind != JsonValueKind.Object)
            {
                throw Error(path, $"expected a JSON object but found {Proxyless.Configuration.ConfigObject.Describe(element)}");
            }
        }

        private XdsBootstrapException Error(string path, string problem) => new(source, path, problem);

        private static string Join(string path, string name) => string.IsNullOrEmpty(path) ? name : $"{path}.{name}";
    }
}
