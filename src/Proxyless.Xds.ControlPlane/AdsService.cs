using System.Threading.Channels;
using Envoy.Service.Discovery.V3;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Proxyless.Xds.Resources;

namespace Proxyless.Xds.ControlPlane;

/// <summary>
/// State-of-the-world ADS: per stream and type, the names the client subscribed to (LDS and CDS with no names: all),
/// the version and nonce last sent. A response goes out when a subscription changes or the type's version moves on;
/// a request carrying a nonce is the client's ACK (no <c>error_detail</c>) or NACK of that response, and is recorded.
/// </summary>
internal sealed partial class AdsService(ControlPlaneState state, ILogger<AdsService> logger) : AggregatedDiscoveryService.AggregatedDiscoveryServiceBase
{
    public override async Task StreamAggregatedResources(IAsyncStreamReader<DiscoveryRequest> requestStream, IServerStreamWriter<DiscoveryResponse> responseStream, ServerCallContext context)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, state.Stopping.Token);

        // One loop handles the client's requests and the store's changes in order; null means "the store changed".
        var work = Channel.CreateUnbounded<object?>(new UnboundedChannelOptions { SingleReader = true });
        void OnChanged() => work.Writer.TryWrite(null);
        void OnInjected(DiscoveryResponse response) => work.Writer.TryWrite(response);
        state.Store.Changed += OnChanged;
        state.Injected += OnInjected;
        var reader = Task.Run(async () =>
        {
            try
            {
                await foreach (var request in requestStream.ReadAllAsync(stop.Token).ConfigureAwait(false))
                {
                    work.Writer.TryWrite(request);
                }
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException or RpcException)
            {
                // the client went away
            }
            finally
            {
                work.Writer.TryComplete();
            }
        });

        var streams = state.OnStreamOpened();
        var types = new Dictionary<string, Subscription>(StringComparer.Ordinal);
        var nodeId = "";
        long nonce = 0;
        try
        {
            await foreach (var item in work.Reader.ReadAllAsync(stop.Token).ConfigureAwait(false))
            {
                if (item is DiscoveryResponse injected)
                {
                    var copy = injected.Clone();
                    copy.Nonce = (++nonce).ToString(System.Globalization.CultureInfo.InvariantCulture);
                    if (!types.TryGetValue(copy.TypeUrl, out var target))
                    {
                        types[copy.TypeUrl] = target = new Subscription { SentVersion = state.Store.Version(copy.TypeUrl) };
                    }

                    target.VersionByNonce[copy.Nonce] = (copy.VersionInfo, []);
                    await responseStream.WriteAsync(copy, stop.Token).ConfigureAwait(false);
                    continue;
                }

                var request = (DiscoveryRequest?)item;
                if (request is null)
                {
                    foreach (var (type, subscription) in types)
                    {
                        if (subscription.SentVersion != state.Store.Version(type))
                        {
                            await SendAsync(type, subscription).ConfigureAwait(false);
                        }
                    }

                    continue;
                }

                if (request.Node?.Id is { Length: > 0 } id)
                {
                    nodeId = id;
                }

                if (!types.TryGetValue(request.TypeUrl, out var sub))
                {
                    types[request.TypeUrl] = sub = new Subscription();
                }

                if (request.ResponseNonce.Length > 0 && sub.VersionByNonce.TryGetValue(request.ResponseNonce, out var answered))
                {
                    var accepted = request.ErrorDetail is null;
                    if (!accepted)
                    {
                        LogNack(logger, nodeId, request.TypeUrl, answered.Version, request.ErrorDetail!.Message);
                    }

                    state.Record(new XdsClientReply(nodeId, request.TypeUrl, answered.Version, accepted, request.ErrorDetail?.Message, answered.Names));
                }

                var wildcard = request.ResourceNames.Count == 0 && request.TypeUrl is XdsTypeUrls.Listener or XdsTypeUrls.Cluster;
                var names = wildcard ? null : request.ResourceNames.ToHashSet(StringComparer.Ordinal);
                var changed = sub.SentVersion is null || !SameNames(sub.Names, names);
                sub.Names = names;
                if (changed || sub.SentVersion != state.Store.Version(request.TypeUrl))
                {
                    await SendAsync(request.TypeUrl, sub).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // the client or the server ended the stream
        }
        finally
        {
            state.Store.Changed -= OnChanged;
            state.Injected -= OnInjected;
            state.OnStreamClosed();
            await reader.ConfigureAwait(false);
            LogStreamEnded(logger, nodeId, streams - 1);
        }

        async Task SendAsync(string type, Subscription subscription)
        {
            var (version, resources) = state.Store.Get(type, subscription.Names);
            var response = new DiscoveryResponse { TypeUrl = type, VersionInfo = version, Nonce = (++nonce).ToString(System.Globalization.CultureInfo.InvariantCulture) };
            response.Resources.AddRange(resources);
            subscription.SentVersion = version;
            subscription.VersionByNonce[response.Nonce] = (version, resources.Select(ResourceStore.NameOf).ToArray());
            await responseStream.WriteAsync(response, stop.Token).ConfigureAwait(false);
        }
    }

    private static bool SameNames(HashSet<string>? a, HashSet<string>? b) => a is null ? b is null : b is not null && a.SetEquals(b);

    [LoggerMessage(Level = LogLevel.Information, Message = "xDS client {NodeId} NACKed {TypeUrl} version {Version}: {Error}")]
    private static partial void LogNack(ILogger logger, string nodeId, string typeUrl, string version, string error);

    [LoggerMessage(Level = LogLevel.Debug, Message = "xDS stream of client {NodeId} ended; {Streams} streams open")]
    private static partial void LogStreamEnded(ILogger logger, string nodeId, int streams);

    private sealed class Subscription
    {
        public HashSet<string>? Names { get; set; } = [];

        public string? SentVersion { get; set; }

        public Dictionary<string, (string Version, string[] Names)> VersionByNonce { get; } = new(StringComparer.Ordinal);
    }
}
