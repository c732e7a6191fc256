using System.Globalization;
using System.Text.Json;

namespace Proxyless.Configuration;

/// <summary>
/// Reads fields of one JSON object of a service config with defaults, range checks, and errors that name
/// the field's full path (for example <c>loadBalancingConfig[0].custom_round_robin.chooseSecond</c>).
/// Policies use it to parse their own config. Service configs are protobuf JSON, so a field may be written in
/// lowerCamelCase or with its original snake_case name (<c>blackoutPeriod</c> or <c>blackout_period</c>); ask for
/// the lowerCamelCase name and either is found. Fields no parser reads are reported as warnings by the channel.
/// </summary>
public readonly struct ConfigObject
{
    /// <summary>
    /// The longest duration a timer can wait (about 49.7 days): the upper bound of every duration read with
    /// <see cref="GetDuration"/> unless the caller gives its own.
    /// </summary>
    public static readonly TimeSpan LongestTimer = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    private readonly JsonElement _element;

    /// <summary>Wraps <paramref name="element"/>, which must be a JSON object (or null/undefined, read as empty).</summary>
    /// <param name="element">The JSON object.</param>
    /// <param name="path">Its path in the document, used in error messages.</param>
    /// <exception cref="ServiceConfigException">The element is not an object.</exception>
    public ConfigObject(JsonElement element, string path)
    {
        if (element.ValueKind is not (JsonValueKind.Object or JsonValueKind.Undefined or JsonValueKind.Null))
        {
            throw new ServiceConfigException(path, $"expected a JSON object but found {Describe(element)}");
        }

        _element = element;
        Path = path;
        ConfigFieldTracker.OnObject(element, path);
    }

    /// <summary>The path of this object in the document.</summary>
    public string Path { get; }

    /// <summary>The underlying JSON element.</summary>
    public JsonElement Element => _element;

    /// <summary>Returns the path of a field of this object, spelled as the document spells it when present.</summary>
    /// <param name="name">The field name (lowerCamelCase).</param>
    public string FieldPath(string name)
    {
        var key = Find(name, out _) ?? name;
        return string.IsNullOrEmpty(Path) ? key : Path + "." + key;
    }

    /// <summary>Looks a field up by its lowerCamelCase name or its snake_case twin; false when absent or JSON null.</summary>
    /// <param name="name">The field name in lowerCamelCase, as proto3 JSON writes it.</param>
    /// <param name="value">The field's value.</param>
    /// <exception cref="ServiceConfigException">The field is set under both spellings.</exception>
    public bool TryGet(string name, out JsonElement value)
    {
        if (Find(name, out value) is { } key)
        {
            ConfigFieldTracker.OnRead(Path, key);
            if (value.ValueKind != JsonValueKind.Null)
            {
                return true;
            }
        }

        value = default;
        return false;
    }

    /// <summary>The snake_case spelling of a lowerCamelCase field name (<c>blackoutPeriod</c> → <c>blackout_period</c>).</summary>
    /// <param name="name">The lowerCamelCase name.</param>
    public static string ToSnakeCase(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var builder = new System.Text.StringBuilder(name.Length + 4);
        foreach (var c in name)
        {
            if (char.IsAsciiLetterUpper(c))
            {
                builder.Append('_').Append(char.ToLowerInvariant(c));
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    /// <summary>Reads a boolean field.</summary>
    /// <param name="name">The field name.</param>
    /// <param name="defaultValue">Returned when the field is absent.</param>
    public bool GetBoolean(string name, bool defaultValue)
    {
        if (!TryGet(name, out var value))
        {
            return defaultValue;
        }

        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw Error(name, $"expected true or false but found {Describe(value)}"),
        };
    }

    /// <summary>Reads a whole-number field and checks its range.</summary>
    /// <param name="name">The field name.</param>
    /// <param name="defaultValue">Returned when the field is absent.</param>
    /// <param name="min">Smallest allowed value.</param>
    /// <param name="max">Largest allowed value.</param>
    public long GetInt64(string name, long defaultValue, long min = long.MinValue, long max = long.MaxValue)
    {
        if (!TryGet(name, out var value))
        {
            return defaultValue;
        }

        long result;
        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var n))
        {
            result = n;
        }
        else if (value.ValueKind == JsonValueKind.String && long.TryParse(value.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var s))
        {
            // proto3 JSON writes 64-bit integers as strings.
            result = s;
        }
        else
        {
            throw Error(name, $"expected a whole number but found {Describe(value)}");
        }

        if (result < min || result > max)
        {
            throw Error(name, $"{result} is out of range; allowed {min}..{max}");
        }

        return result;
    }

    /// <summary>Reads a 32-bit whole-number field and checks its range.</summary>
    /// <param name="name">The field name.</param>
    /// <param name="defaultValue">Returned when the field is absent.</param>
    /// <param name="min">Smallest allowed value.</param>
    /// <param name="max">Largest allowed value.</param>
    public int GetInt32(string name, int defaultValue, int min = int.MinValue, int max = int.MaxValue)
        => (int)GetInt64(name, defaultValue, min, max);

    /// <summary>Reads a number field and checks its range.</summary>
    /// <param name="name">The field name.</param>
    /// <param name="defaultValue">Returned when the field is absent.</param>
    /// <param name="min">Smallest allowed value.</param>
    /// <param name="max">Largest allowed value.</param>
    public double GetDouble(string name, double defaultValue, double min = double.MinValue, double max = double.MaxValue)
    {
        if (!TryGet(name, out var value))
        {
            return defaultValue;
        }

        if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out var result) || double.IsNaN(result))
        {
            throw Error(name, $"expected a number but found {Describe(value)}");
        }

        if (result < min || result > max)
        {
            throw Error(name, $"{result.ToString(CultureInfo.InvariantCulture)} is out of range; allowed {min.ToString(CultureInfo.InvariantCulture)}..{max.ToString(CultureInfo.InvariantCulture)}");
        }

        return result;
    }

    /// <summary>Reads a string field.</summary>
    /// <param name="name">The field name.</param>
    public string? GetString(string name)
    {
        if (!TryGet(name, out var value))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            throw Error(name, $"expected a string but found {Describe(value)}");
        }

        return value.GetString();
    }

    /// <summary>
    /// Reads a protobuf <c>Duration</c> in its JSON form, a decimal number of seconds with an <c>s</c> suffix
    /// (<c>"0.5s"</c>, <c>"10s"</c>), and checks it against the longest value the code can use.
    /// </summary>
    /// <param name="name">The field name.</param>
    /// <param name="defaultValue">Returned when the field is absent.</param>
    /// <param name="mustBePositive">Whether zero and negative durations are rejected.</param>
    /// <param name="max">The longest allowed value; <see cref="LongestTimer"/> when null.</param>
    public TimeSpan? GetDuration(string name, TimeSpan? defaultValue = null, bool mustBePositive = true, TimeSpan? max = null)
    {
        if (!TryGet(name, out var value))
        {
            return defaultValue;
        }

        if (value.ValueKind != JsonValueKind.String || !TryParseDuration(value.GetString()!, out var duration))
        {
            throw Error(name, $"expected a duration such as \"1.5s\" but found {Describe(value)}");
        }

        if (mustBePositive && duration <= TimeSpan.Zero)
        {
            throw Error(name, $"must be greater than zero but was {value.GetString()}");
        }

        if (!mustBePositive && duration < TimeSpan.Zero)
        {
            throw Error(name, $"must not be negative but was {value.GetString()}");
        }

        var limit = max ?? LongestTimer;
        if (duration > limit)
        {
            throw Error(name, $"{value.GetString()} is too long; at most {limit.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)}s ({limit.TotalDays.ToString("0.#", CultureInfo.InvariantCulture)} days) can be used here");
        }

        return duration;
    }

    /// <summary>Reads a nested object field.</summary>
    /// <param name="name">The field name.</param>
    public ConfigObject? GetObject(string name)
        => TryGet(name, out var value) ? new ConfigObject(value, FieldPath(name)) : null;

    /// <summary>Reads an array field; each item comes with its path (<c>name[i]</c>).</summary>
    /// <param name="name">The field name.</param>
    public IReadOnlyList<(JsonElement Item, string Path)> GetArray(string name)
    {
        if (!TryGet(name, out var value))
        {
            return [];
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            throw Error(name, $"expected an array but found {Describe(value)}");
        }

        var items = new List<(JsonElement, string)>();
        var i = 0;
        foreach (var item in value.EnumerateArray())
        {
            items.Add((item, $"{FieldPath(name)}[{i++}]"));
        }

        return items;
    }

    /// <summary>Creates the error for a bad field of this object.</summary>
    /// <param name="name">The field name.</param>
    /// <param name="problem">What is wrong.</param>
    public ServiceConfigException Error(string name, string problem) => new(FieldPath(name), problem);

    // The key under which the field is present (its lowerCamelCase or snake_case spelling), or null.
    private string? Find(string name, out JsonElement value)
    {
        value = default;
        if (_element.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var snake = ToSnakeCase(name);
        var hasCamel = _element.TryGetProperty(name, out var camelValue);
        JsonElement snakeValue = default;
        var hasSnake = snake != name && _element.TryGetProperty(snake, out snakeValue);
        if (hasCamel && hasSnake)
        {
            var path = string.IsNullOrEmpty(Path) ? name : Path + "." + name;
            throw new ServiceConfigException(path, $"is set twice, as '{name}' and as '{snake}'; use one");
        }

        if (hasCamel)
        {
            value = camelValue;
            return name;
        }

        if (hasSnake)
        {
            value = snakeValue;
            return snake;
        }

        return null;
    }

    /// <summary>Parses a protobuf JSON duration such as <c>"1.5s"</c>.</summary>
    /// <param name="text">The text.</param>
    /// <param name="duration">The parsed duration.</param>
    public static bool TryParseDuration(string text, out TimeSpan duration)
    {
        duration = default;
        if (text.Length < 2 || text[^1] != 's')
        {
            return false;
        }

        if (!decimal.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seconds))
        {
            return false;
        }

        // Protobuf durations are limited to about 10,000 years.
        if (Math.Abs(seconds) > 315_576_000_000m)
        {
            return false;
        }

        duration = TimeSpan.FromTicks((long)(seconds * TimeSpan.TicksPerSecond));
        return true;
    }

    internal static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => $"the string \"{value.GetString()}\"",
        JsonValueKind.Number => $"the number {value.GetRawText()}",
        JsonValueKind.True or JsonValueKind.False => $"the boolean {value.GetRawText()}",
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };
}
