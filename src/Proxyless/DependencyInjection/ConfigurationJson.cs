using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Configuration;

namespace Proxyless.DependencyInjection;

/// <summary>
/// Turns a configuration section written as a JSON object in appsettings.json back into JSON text. Configuration keeps
/// only strings, so the JSON types are restored from the text: <c>true</c>/<c>false</c> become booleans, numbers become
/// numbers, sections whose keys are 0, 1, 2, ... become arrays, an empty section becomes <c>{}</c>; everything else
/// stays a string (gRPC durations such as <c>"0.5s"</c> are strings in JSON too).
/// </summary>
internal static class ConfigurationJson
{
    public static string ToJson(IConfigurationSection section)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            Write(writer, section);
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void Write(Utf8JsonWriter writer, IConfigurationSection section)
    {
        var children = section.GetChildren().ToList();
        if (children.Count == 0)
        {
            WriteValue(writer, section.Value);
            return;
        }

        var indexes = children.Select(c => int.TryParse(c.Key, NumberStyles.None, CultureInfo.InvariantCulture, out var i) ? i : -1).ToList();
        if (indexes.All(i => i >= 0) && indexes.Order().SequenceEqual(Enumerable.Range(0, indexes.Count)))
        {
            writer.WriteStartArray();
            foreach (var child in children.OrderBy(c => int.Parse(c.Key, CultureInfo.InvariantCulture)))
            {
                Write(writer, child);
            }

            writer.WriteEndArray();
            return;
        }

        writer.WriteStartObject();
        foreach (var child in children)
        {
            writer.WritePropertyName(child.Key);
            Write(writer, child);
        }

        writer.WriteEndObject();
    }

    private static void WriteValue(Utf8JsonWriter writer, string? value)
    {
        switch (value)
        {
            case null or "":
                writer.WriteStartObject(); // an empty object ({"round_robin":{}}) is stored as an empty value
                writer.WriteEndObject();
                break;
            case "true" or "false":
                writer.WriteBooleanValue(value == "true");
                break;
            default:
                if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _) && value.All(c => char.IsAsciiDigit(c) || c is '-' or '.' or 'e' or 'E' or '+'))
                {
                    writer.WriteRawValue(value);
                }
                else
                {
                    writer.WriteStringValue(value);
                }

                break;
        }
    }
}
