using System.Diagnostics;
using System.Net;
using Proxyless.Transport;

namespace Proxyless.Calls;

/// <summary>
/// Puts the balancer's decisions on the call's trace: grpc-dotnet's activity for the attempt
/// (<c>Grpc.Net.Client.GrpcOut</c>, which OpenTelemetry's gRPC client instrumentation exports) gets the picked backend
/// (<c>server.address</c>, <c>server.port</c>, <c>network.peer.address</c>, <c>network.peer.port</c>) and the policy
/// (<c>proxyless.lb.policy</c>), and events for a pick that waited (<c>proxyless.pick.queued</c>) and a transparent
/// retry (<c>proxyless.transparent_retry</c>). Any other current activity (an incoming request's, say) is left alone;
/// nothing is done when no one records the activity.
/// </summary>
internal static class AttemptTracing
{
    private const string GrpcClientActivity = "Grpc.Net.Client.GrpcOut";

    /// <summary>The recorded grpc-dotnet activity of the attempt being sent, if any.</summary>
    public static Activity? CallActivity => Activity.Current is { OperationName: GrpcClientActivity, IsAllDataRequested: true } activity ? activity : null;

    /// <summary>Names the backend the attempt was placed on, and the policy that picked it.</summary>
    public static void Placed(Activity activity, HttpSubchannel subchannel, string? policy)
    {
        switch (subchannel.Address.EndPoint)
        {
            case IPEndPoint ip:
                var address = ip.Address.ToString();
                activity.SetTag("server.address", address);
                activity.SetTag("server.port", ip.Port);
                activity.SetTag("network.peer.address", address);
                activity.SetTag("network.peer.port", ip.Port);
                break;
            case DnsEndPoint dns:
                activity.SetTag("server.address", dns.Host);
                activity.SetTag("server.port", dns.Port);
                break;
            case var other:
                activity.SetTag("server.address", other.ToString());
                activity.SetTag("network.transport", "unix");
                break;
        }

        if (policy is not null)
        {
            activity.SetTag("proxyless.lb.policy", policy);
        }
    }

    /// <summary>The pick waited for a new picker (no READY backend), for <paramref name="waited"/>.</summary>
    public static void Queued(Activity activity, TimeSpan waited)
        => activity.AddEvent(new ActivityEvent("proxyless.pick.queued", tags: new ActivityTagsCollection
        {
            ["proxyless.pick.wait_ms"] = Math.Round(waited.TotalMilliseconds, 3),
        }));

    /// <summary>An attempt never reached <paramref name="subchannel"/>'s server and the call is picked again.</summary>
    public static void TransparentRetry(Activity activity, HttpSubchannel subchannel, Exception reason)
        => activity.AddEvent(new ActivityEvent("proxyless.transparent_retry", tags: new ActivityTagsCollection
        {
            ["proxyless.backend"] = subchannel.PeerText,
            ["exception.message"] = reason.Message,
        }));
}
