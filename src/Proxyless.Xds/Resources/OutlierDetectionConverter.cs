using System.Text.Json;

namespace Proxyless.Xds.Resources;

/// <summary>
/// A cluster's outlier detection (gRFC A50) as the config of Proxyless's <c>outlier_detection</c> policy, without its
/// child policy (the cluster's policy goes there). Percentages above 100 and invalid or negative durations are rejected;
/// success-rate ejection is on unless <c>enforcing_success_rate</c> is 0, failure-percentage ejection only when
/// <c>enforcing_failure_percentage</c> is set above 0, as A50 says.
/// </summary>
internal static class OutlierDetectionConverter
{
    public static string? Convert(Envoy.Config.Cluster.V3.OutlierDetection od, string path, XdsErrors errors)
    {
        var before = errors.Problems.Count;
        var json = LbPolicyConverter.Json(w =>
        {
            Duration(w, "interval", od.Interval, "interval");
            Duration(w, "baseEjectionTime", od.BaseEjectionTime, "base_ejection_time");
            Duration(w, "maxEjectionTime", od.MaxEjectionTime, "max_ejection_time");
            Percent(w, "maxEjectionPercent", od.MaxEjectionPercent, "max_ejection_percent");

            if (od.EnforcingSuccessRate is not 0)
            {
                w.WriteStartObject("successRateEjection");
                Number(w, "stdevFactor", od.SuccessRateStdevFactor);
                Percent(w, "enforcementPercentage", od.EnforcingSuccessRate, "enforcing_success_rate");
                Number(w, "minimumHosts", od.SuccessRateMinimumHosts);
                Number(w, "requestVolume", od.SuccessRateRequestVolume);
                w.WriteEndObject();
            }

            Check(od.FailurePercentageThreshold, "failure_percentage_threshold");
            if (od.EnforcingFailurePercentage is > 0)
            {
                w.WriteStartObject("failurePercentageEjection");
                Number(w, "threshold", od.FailurePercentageThreshold);
                Percent(w, "enforcementPercentage", od.EnforcingFailurePercentage, "enforcing_failure_percentage");
                Number(w, "minimumHosts", od.FailurePercentageMinimumHosts);
                Number(w, "requestVolume", od.FailurePercentageRequestVolume);
                w.WriteEndObject();
            }
            else
            {
                Check(od.EnforcingFailurePercentage, "enforcing_failure_percentage");
            }
        });
        return errors.Problems.Count == before ? json : null;

        void Duration(Utf8JsonWriter w, string name, Google.Protobuf.WellKnownTypes.Duration? value, string field)
        {
            if (value is not null && XdsProtoValues.Duration(value, XdsErrors.Field(path, field), errors) is { } span)
            {
                w.WriteString(name, LbPolicyConverter.DurationText(span));
            }
        }

        void Percent(Utf8JsonWriter w, string name, uint? value, string field)
        {
            if (Check(value, field))
            {
                Number(w, name, value);
            }
        }

        bool Check(uint? value, string field)
        {
            if (value is > 100)
            {
                errors.Add(XdsErrors.Field(path, field), $"{value} is above 100");
                return false;
            }

            return true;
        }

        static void Number(Utf8JsonWriter w, string name, uint? value)
        {
            if (value is { } v)
            {
                w.WriteNumber(name, v);
            }
        }
    }
}
