using System.Net;
using Proxyless.Balancing;
using Proxyless.Configuration;
using Proxyless.Resolution;

namespace Proxyless.Tests.Support;

/// <summary>Starts a policy from its JSON config over loopback endpoints (port = endpoint), all READY, and counts picks per port.</summary>
internal static class PolicyHarness
{
    public static readonly LoadBalancerRegistry Registry = LoadBalancerRegistry.CreateDefault();

    public static LoadBalancerConfig Parse(string policyJson) => Registry.SelectPolicy(ServiceConfig.Parse($"{{\"loadBalancingConfig\":[{policyJson}]}}")).Config;

    public static ChannelState State(LoadBalancerConfig config, params (int Port, int? Weight)[] endpoints)
        => new(
            endpoints.Select(e => new BackendEndpoint(
                new BackendAddress(new IPEndPoint(IPAddress.Loopback, e.Port)),
                e.Weight is { } w ? Attributes.Empty.With(EndpointAttributes.Weight, w) : null)).ToArray(),
            config,
            Attributes.Empty,
            ServiceConfig.Empty);

    /// <summary>A channel state for a policy: one endpoint per array of "ip:port" addresses.</summary>
    public static ChannelState Endpoints(LoadBalancerConfig config, params string[][] endpoints)
        => new(
            endpoints.Select(addrs => new BackendEndpoint(addrs.Select(a => new BackendAddress(IPEndPoint.Parse(a))).ToArray())).ToArray(),
            config,
            Attributes.Empty,
            ServiceConfig.Empty);

    public static (FakeHelper Helper, LoadBalancer Policy) Start(string policyJson, params (int Port, int? Weight)[] endpoints)
    {
        var helper = new FakeHelper();
        var config = Parse(policyJson);
        var policy = Registry.SelectPolicy(ServiceConfig.Parse($"{{\"loadBalancingConfig\":[{policyJson}]}}")).Provider.Create(helper);
        policy.UpdateChannelState(State(config, endpoints));
        // Large updates start their children in batches, the next as earlier ones answer: each batch turns READY.
        var ready = 0;
        for (helper.RunScheduled(); helper.Subchannels.Count > ready; helper.RunScheduled())
        {
            var batch = helper.Subchannels.Skip(ready).ToArray();
            ready = helper.Subchannels.Count;
            foreach (var sub in batch)
            {
                sub.Set(ConnectivityState.Ready);
            }
        }

        return (helper, policy);
    }

    public static Dictionary<int, int> Count(FakeHelper helper, int picks, Func<PickContext>? context = null)
    {
        var counts = new Dictionary<int, int>();
        for (var i = 0; i < picks; i++)
        {
            var result = helper.Picker.Pick(context?.Invoke() ?? new PickContext(new HttpRequestMessage()));
            var port = ((IPEndPoint)result.Subchannel!.Address.EndPoint).Port;
            counts[port] = counts.GetValueOrDefault(port) + 1;
        }

        return counts;
    }

    public static Func<PickContext> WithKey(string key) => () =>
    {
        var request = new HttpRequestMessage();
        request.Headers.TryAddWithoutValidation("x-user", key);
        return new PickContext(request);
    };
}
