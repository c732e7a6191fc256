using System.Net;
using Proxyless.Discovery;

namespace Proxyless.AspNetCore;

/// <summary>Turns the URLs Kestrel reports as bound into registry endpoints (one per port, every address of that port).</summary>
internal static class AdvertisedAddresses
{
    public static IReadOnlyList<InstanceEndpoint> FromServerAddresses(IEnumerable<string> urls, string? advertisedHost)
    {
        var byPort = new SortedDictionary<int, List<string>>();
        foreach (var url in urls)
        {
            // Kestrel reports e.g. http://127.0.0.1:43125, http://[::]:5000, http://localhost:5000.
            if (!Uri.TryCreate(url.Replace("://+:", "://0.0.0.0:", StringComparison.Ordinal).Replace("://*:", "://0.0.0.0:", StringComparison.Ordinal), UriKind.Absolute, out var uri))
            {
                continue;
            }

            if (!byPort.TryGetValue(uri.Port, out var addresses))
            {
                byPort[uri.Port] = addresses = [];
            }

            var host = uri.IdnHost.Trim('[', ']');
            IEnumerable<string> hosts = advertisedHost is not null
                ? [advertisedHost]
                : host switch
                {
                    "0.0.0.0" => ["127.0.0.1"],
                    "::" or "localhost" => ["::1", "127.0.0.1"],
                    _ => [host],
                };
            foreach (var h in hosts)
            {
                var text = IPAddress.TryParse(h, out var ip) ? RegistryAddress.Format(new IPEndPoint(ip, uri.Port)) : $"{h}:{uri.Port}";
                if (!addresses.Contains(text))
                {
                    addresses.Add(text);
                }
            }
        }

        // IPv6 first, as gRPC's Happy Eyeballs expects the preferred family first.
        return byPort.Values.Select(a => new InstanceEndpoint(a.OrderBy(x => x.StartsWith('[') ? 0 : 1).ToArray())).ToArray();
    }
}
