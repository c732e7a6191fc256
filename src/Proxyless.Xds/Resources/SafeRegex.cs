using System.Text.RegularExpressions;

namespace Proxyless.Xds.Resources;

/// <summary>
/// Envoy's <c>safe_regex</c> (RE2 syntax, matched against the whole input). Compiled with .NET's non-backtracking engine,
/// which, like RE2, runs in linear time and rejects what RE2 rejects for that reason (backreferences, lookaround,
/// atomic groups, conditionals).
/// </summary>
internal static class SafeRegex
{
    /// <summary>The options every xDS regex is compiled with.</summary>
    public const RegexOptions Options = RegexOptions.NonBacktracking | RegexOptions.CultureInvariant;

    /// <summary>Compiles <paramref name="pattern"/> to a full-match regex; null (and a problem recorded) when it is invalid.</summary>
    public static Regex? Compile(string pattern, string path, XdsErrors errors)
    {
        try
        {
            _ = new Regex(pattern, Options); // checked alone first, so an error's offset is the pattern's own
            return new Regex(@"\A(?:" + pattern + @")\z", Options);
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException)
        {
            errors.Add(path, $"\"{pattern}\" is not a valid RE2 regular expression: {ex.Message}");
            return null;
        }
    }
}
