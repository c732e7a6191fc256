using System.Text.RegularExpressions;

namespace Proxyless.Xds.Resources;

/// <summary>How an <see cref="XdsStringMatcher"/> compares.</summary>
internal enum XdsStringMatchKind
{
    Exact,
    Prefix,
    Suffix,
    Contains,
    SafeRegex,
}

/// <summary>Envoy's <c>StringMatcher</c> (gRFC A28, A63): exact, prefix, suffix, contains or a full-match RE2 regex.</summary>
internal sealed record XdsStringMatcher(XdsStringMatchKind Kind, string Value, bool IgnoreCase, Regex? Regex)
{
    /// <summary>Reads a StringMatcher; null (and a problem recorded) when it has no pattern or a bad regex.</summary>
    public static XdsStringMatcher? From(Envoy.Type.Matcher.V3.StringMatcher matcher, string path, XdsErrors errors)
    {
        var ignoreCase = matcher.IgnoreCase;
        switch (matcher.MatchPatternCase)
        {
            case Envoy.Type.Matcher.V3.StringMatcher.MatchPatternOneofCase.Exact:
                return new(XdsStringMatchKind.Exact, matcher.Exact, ignoreCase, null);
            case Envoy.Type.Matcher.V3.StringMatcher.MatchPatternOneofCase.Prefix:
                return new(XdsStringMatchKind.Prefix, matcher.Prefix, ignoreCase, null);
            case Envoy.Type.Matcher.V3.StringMatcher.MatchPatternOneofCase.Suffix:
                return new(XdsStringMatchKind.Suffix, matcher.Suffix, ignoreCase, null);
            case Envoy.Type.Matcher.V3.StringMatcher.MatchPatternOneofCase.Contains:
                return new(XdsStringMatchKind.Contains, matcher.Contains, ignoreCase, null);
            case Envoy.Type.Matcher.V3.StringMatcher.MatchPatternOneofCase.SafeRegex:
                if (ignoreCase)
                {
                    errors.Add(XdsErrors.Field(path, "ignore_case"), "cannot be set with safe_regex");
                    return null;
                }

                return SafeRegex.Compile(matcher.SafeRegex.Regex, XdsErrors.Field(path, "safe_regex.regex"), errors) is { } regex
                    ? new(XdsStringMatchKind.SafeRegex, matcher.SafeRegex.Regex, false, regex)
                    : null;
            default:
                errors.Add(path, "no match pattern is set");
                return null;
        }
    }

    /// <summary>True when <paramref name="input"/> matches.</summary>
    public bool Matches(string input)
    {
        var comparison = IgnoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        return Kind switch
        {
            XdsStringMatchKind.Exact => string.Equals(input, Value, comparison),
            XdsStringMatchKind.Prefix => input.StartsWith(Value, comparison),
            XdsStringMatchKind.Suffix => input.EndsWith(Value, comparison),
            XdsStringMatchKind.Contains => input.Contains(Value, comparison),
            _ => Regex!.IsMatch(input),
        };
    }
}
