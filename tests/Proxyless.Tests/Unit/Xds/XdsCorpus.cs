using System.Text.Json;
using Google.Protobuf.WellKnownTypes;
using Proxyless.Xds.Resources;

namespace Proxyless.Tests.Unit.Xds;

/// <summary>
/// The resource corpus (Unit/Xds/Corpus/*.json): each file holds one xDS resource in protobuf JSON, the verdict a
/// gRPC client gives it (ACK or NACK), and for a NACK a phrase Proxyless's error must contain. The interop tests serve
/// the same files to other gRPC clients.
/// </summary>
internal static class XdsCorpus
{
    public static string Directory => Path.Combine(AppContext.BaseDirectory, "Unit", "Xds", "Corpus");

    public static IEnumerable<string> Names => System.IO.Directory.EnumerateFiles(Directory, "*.json").Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal)!;

    public static Entry Load(string name)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(Directory, name + ".json")));
        var root = document.RootElement;
        var resource = XdsResourceTypes.JsonParser.Parse<Any>(root.GetProperty("resource").GetRawText());
        return new Entry(
            name,
            root.GetProperty("description").GetString()!,
            root.GetProperty("expect").GetString() == "ACK",
            root.TryGetProperty("error", out var error) ? error.GetString() : null,
            resource);
    }

    public sealed record Entry(string Name, string Description, bool Accepted, string? Error, Any Resource);
}
