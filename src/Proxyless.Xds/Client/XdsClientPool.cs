using Microsoft.Extensions.Logging;
using Proxyless.Balancing;
using Proxyless.Xds.Bootstrap;
using Proxyless.Xds.Resources;

namespace Proxyless.Xds.Client;

/// <summary>
/// The process's xDS clients: one per control plane and node, shared by every channel that uses it (gRFC A27), kept
/// while a channel holds a lease and closed when the last lease ends.
/// </summary>
internal static class XdsClientPool
{
    private static readonly Lock Gate = new();
    private static readonly Dictionary<string, Entry> Clients = new(StringComparer.Ordinal);

    /// <summary>A lease on the shared client for <paramref name="server"/> and <paramref name="node"/>.</summary>
    public static Lease Acquire(XdsServerConfig server, XdsNode node, ILoggerFactory loggerFactory)
    {
        var key = string.Join("|", server.ServerUri, server.Credentials, string.Join(",", server.Features), node.Id, node.Cluster, node.Region, node.Zone, node.SubZone, node.Metadata?.GetRawText());
        lock (Gate)
        {
            if (!Clients.TryGetValue(key, out var entry))
            {
                // Resources are checked against the default policies (with xDS's): the client is shared by channels.
                var client = new XdsClient(server, node, new XdsDecodeContext(LoadBalancerRegistry.CreateDefault()), TimeProvider.System, loggerFactory.CreateLogger("Proxyless.Xds.Client"));
                client.Start();
                Clients[key] = entry = new Entry(client);
            }

            entry.Leases++;
            return new Lease(key, entry.Client);
        }
    }

    private static void Release(string key)
    {
        XdsClient? closing = null;
        lock (Gate)
        {
            if (Clients.TryGetValue(key, out var entry) && --entry.Leases == 0)
            {
                Clients.Remove(key);
                closing = entry.Client;
            }
        }

        if (closing is not null)
        {
            _ = closing.DisposeAsync().AsTask();
        }
    }

    private sealed class Entry(XdsClient client)
    {
        public XdsClient Client { get; } = client;

        public int Leases { get; set; }
    }

    /// <summary>One channel's use of a shared client.</summary>
    internal sealed class Lease(string key, XdsClient client) : IDisposable
    {
        private int _released;

        public XdsClient Client { get; } = client;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                Release(key);
            }
        }
    }
}
