using System.Net;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Proxyless.Xds.Resources;

namespace Proxyless.Xds.ControlPlane;

/// <summary>
/// A small state-of-the-world xDS control plane: an ADS server (<c>envoy.service.discovery.v3</c>) on a loopback port
/// that serves the resources it is given, pushes every change to the clients subscribed to them, and records each
/// client's ACK or NACK. For tests, examples and trying <c>xds:///</c> targets; not a production control plane.
/// </summary>
/// <example>
/// <code>
/// await using var plane = await XdsControlPlane.StartAsync();
/// plane.SetSnapshot(resources);            // Listener, RouteConfiguration, Cluster, ClusterLoadAssignment messages
/// // bootstrap: {"xds_servers":[{"server_uri":"127.0.0.1:PORT","channel_creds":[{"type":"insecure"}]}], ...}
/// </code>
/// </example>
public sealed class XdsControlPlane : IAsyncDisposable
{
    private static readonly string[] ResourceTypes = [XdsTypeUrls.Listener, XdsTypeUrls.RouteConfiguration, XdsTypeUrls.Cluster, XdsTypeUrls.ClusterLoadAssignment];

    private readonly WebApplication _app;
    private readonly ControlPlaneState _state;

    private XdsControlPlane(WebApplication app, ControlPlaneState state, int port)
    {
        _app = app;
        _state = state;
        Port = port;
    }

    /// <summary>The port it listens on.</summary>
    public int Port { get; }

    /// <summary>The <c>server_uri</c> for a bootstrap: <c>127.0.0.1:PORT</c> (or <c>[::1]:PORT</c>).</summary>
    public string ServerUri { get; private init; } = "";

    /// <summary>How many ADS streams are open now.</summary>
    public int OpenStreams => _state.OpenStreams;

    /// <summary>Every ACK and NACK received so far, oldest first.</summary>
    public IReadOnlyList<XdsClientReply> Replies => _state.Replies;

    /// <summary>Starts listening on loopback.</summary>
    /// <param name="options">Port, address family and logging.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    public static async Task<XdsControlPlane> StartAsync(XdsControlPlaneOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new XdsControlPlaneOptions();
        var state = new ControlPlaneState();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<ILoggerFactory>(options.LoggerFactory ?? NullLoggerFactory.Instance);
        builder.Services.AddSingleton(state);
        builder.Services.AddGrpc();
        var address = options.UseIPv6 ? IPAddress.IPv6Loopback : IPAddress.Loopback;
        builder.WebHost.ConfigureKestrel(k => k.Listen(address, options.Port, l => l.Protocols = HttpProtocols.Http2));
        var app = builder.Build();
        app.MapGrpcService<AdsService>();
        await app.StartAsync(cancellationToken).ConfigureAwait(false);

        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        var port = new Uri(bound).Port;
        return new XdsControlPlane(app, state, port) { ServerUri = options.UseIPv6 ? $"[::1]:{port}" : $"127.0.0.1:{port}" };
    }

    /// <summary>
    /// Parses one resource written as protobuf JSON with its <c>@type</c>
    /// (<c>{"@type": "type.googleapis.com/envoy.config.cluster.v3.Cluster", "name": ...}</c>).
    /// </summary>
    /// <param name="json">The resource.</param>
    /// <exception cref="InvalidProtocolBufferException">The JSON is not a resource of a known type.</exception>
    public static IMessage ParseResource(string json) => XdsResourceTypes.JsonParser.Parse<Any>(json);

    /// <summary>
    /// Replaces every Listener, RouteConfiguration, Cluster and ClusterLoadAssignment with <paramref name="resources"/>
    /// (messages, or <see cref="Any"/> holding them); clients see the change at once.
    /// </summary>
    /// <param name="resources">The complete set of resources.</param>
    public void SetSnapshot(IEnumerable<IMessage> resources) => _state.Store.Replace(resources.Select(Pack).ToList(), ResourceTypes);

    /// <summary>Adds or replaces one resource (found by type and name); clients see the change at once.</summary>
    /// <param name="resource">The message, or an <see cref="Any"/> holding it.</param>
    public void SetResource(IMessage resource) => _state.Store.Set(Pack(resource));

    /// <summary>Removes one resource; false when there was none.</summary>
    /// <param name="typeUrl">Its type URL.</param>
    /// <param name="name">Its name.</param>
    public bool RemoveResource(string typeUrl, string name) => _state.Store.Remove(typeUrl, name);

    /// <summary>The version the control plane now serves for a resource type ("0" before any resource of it).</summary>
    /// <param name="typeUrl">The type URL.</param>
    public string Version(string typeUrl) => _state.Store.Version(typeUrl);

    /// <summary>Waits for the first reply (received before or after the call) that <paramref name="match"/> accepts.</summary>
    /// <param name="match">Which reply to wait for.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    public Task<XdsClientReply> WaitForReplyAsync(Func<XdsClientReply, bool> match, CancellationToken cancellationToken = default)
        => _state.WaitForReplyAsync(match, cancellationToken);

    /// <summary>Sends <paramref name="response"/> as it is (with a fresh nonce) on every open stream, for tests.</summary>
    internal void Inject(Envoy.Service.Discovery.V3.DiscoveryResponse response) => _state.Inject(response);

    /// <summary>Stops the server: open streams end, clients see the control plane go away.</summary>
    public async ValueTask DisposeAsync()
    {
        await _state.Stopping.CancelAsync().ConfigureAwait(false);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(stop.Token).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private static Any Pack(IMessage message) => message as Any ?? Any.Pack(message);
}
