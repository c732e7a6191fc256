using Envoy.Type.V3;
using Google.Protobuf.WellKnownTypes;

namespace Proxyless.Xds.Resources;

/// <summary>Reads the small protobuf values every resource type uses, reporting bad ones with their path.</summary>
internal static class XdsProtoValues
{
    /// <summary>A protobuf Duration as a TimeSpan; null (and a problem recorded) when it is not a valid duration.</summary>
    public static TimeSpan? Duration(Duration value, string path, XdsErrors errors, bool allowNegative = false)
    {
        var valid = value.Seconds is >= -315_576_000_000 and <= 315_576_000_000
            && value.Nanos is > -1_000_000_000 and < 1_000_000_000
            && !(value.Seconds > 0 && value.Nanos < 0) && !(value.Seconds < 0 && value.Nanos > 0);
        if (!valid)
        {
            errors.Add(path, $"{value.Seconds}s {value.Nanos}ns is not a valid duration");
            return null;
        }

        var span = TimeSpan.FromSeconds(value.Seconds) + TimeSpan.FromTicks(value.Nanos / 100);
        if (span < TimeSpan.Zero && !allowNegative)
        {
            errors.Add(path, $"{span} is negative");
            return null;
        }

        return span;
    }

    /// <summary>An enum value as the .proto file spells it (<c>MURMUR_HASH_2</c>), for error messages.</summary>
    public static string Name<T>(T value)
        where T : struct, System.Enum
        => typeof(T).GetField(value.ToString())?.GetCustomAttributes(typeof(Google.Protobuf.Reflection.OriginalNameAttribute), false) is [Google.Protobuf.Reflection.OriginalNameAttribute original, ..]
            ? original.Name
            : value.ToString();

    /// <summary>A FractionalPercent as parts per million; null (and a problem recorded) for an unknown denominator.</summary>
    public static uint? PerMillion(FractionalPercent percent, string path, XdsErrors errors)
    {
        ulong factor = percent.Denominator switch
        {
            FractionalPercent.Types.DenominatorType.Hundred => 10_000,
            FractionalPercent.Types.DenominatorType.TenThousand => 100,
            FractionalPercent.Types.DenominatorType.Million => 1,
            _ => 0,
        };
        if (factor == 0)
        {
            errors.Add(XdsErrors.Field(path, "denominator"), $"{Name(percent.Denominator)} is not a known denominator");
            return null;
        }

        return (uint)Math.Min(1_000_000UL, percent.Numerator * factor);
    }
}
