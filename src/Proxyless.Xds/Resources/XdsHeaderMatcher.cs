namespace Proxyless.Xds.Resources;

/// <summary>How an <see cref="XdsHeaderMatcher"/> tests a header.</summary>
internal enum XdsHeaderMatchKind
{
    String,
    Range,
    Present,
}

/// <summary>
/// A route's header matcher (gRFC A28, A63): a string matcher, an integer range [start, end), or presence; inverted when
/// <see cref="Invert"/>. Values of a header sent more than once are joined with a comma before matching.
/// </summary>
internal sealed record XdsHeaderMatcher(string Name, XdsHeaderMatchKind Kind, XdsStringMatcher? String, long RangeStart, long RangeEnd, bool Present, bool Invert)
{
    /// <summary>True when the header's value (null when absent) satisfies the matcher.</summary>
    public bool Matches(string? value)
    {
        bool result;
        if (Kind == XdsHeaderMatchKind.Present)
        {
            result = (value is not null) == Present;
        }
        else if (value is null)
        {
            return false; // an absent header matches no value matcher, inverted or not (A28)
        }
        else if (Kind == XdsHeaderMatchKind.Range)
        {
            result = long.TryParse(value, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var number)
                && number >= RangeStart && number < RangeEnd;
        }
        else
        {
            result = String!.Matches(value);
        }

        return result != Invert;
    }
}
