using System.Threading.Channels;
using Envoy.Service.Discovery.V3;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using Proxyless.Balancing;
using Proxyless.Configuration;
using Proxyless.Xds.Bootstrap;
using Proxyless.Xds.Resources;

namespace Proxyless.Xds.Client;

/// <summary>
/// An xDS client (gRFC A27, A46, A53, A57, A88): one state-of-the-world ADS stream to one control plane, shared by every
/// watcher. Per type it keeps the subscribed names, the version and nonce it last accepted or answered, and per
/// resource the cached, validated value and its status. Each response is ACKed, or NACKed with every problem named
/// (the valid resources of a NACKed response are still used, A46). A subscribed resource the server never sends is
/// declared not to exist after 15 s of an up stream; an LDS or CDS resource missing from a response is deleted unless
/// the server has <c>ignore_resource_deletion</c> (A53). When the stream fails the client reconnects with gRPC's backoff
/// (at once after a stream that got responses), resubscribes everything, and keeps serving its cache (A57).
/// </summary>
internal sealed class XdsClient : IAsyncDisposable
{
    /// <summary>How long a subscribed resource may go unanswered on an up stream before it is declared not to exist.</summary>
    public static readonly TimeSpan DoesNotExistTimeout = TimeSpan.FromSeconds(15);

    private readonly XdsServerConfig _server;
    private readonly Envoy.Config.Core.V3.Node _node;
    private readonly XdsDecodeContext _context;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly BalancedChannel _channel;
    private readonly Lock _gate = new();
    private readonly WorkSerializer _callbacks;
    private readonly Dictionary<string, TypeState> _types = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _disposed = new();
    private readonly ExponentialBackoff _backoff;
    private Channel<DiscoveryRequest>? _outgoing; // the current stream's requests; null while there is no stream
    private bool _nodeSent;
    private Task _loop = Task.CompletedTask;

    public XdsClient(XdsServerConfig server, XdsNode node, XdsDecodeContext context, TimeProvider time, ILogger logger, BackoffOptions? backoff = null)
    {
        _server = server;
        _node = ToProto(node);
        _context = context;
        _time = time;
        _logger = logger;
        _callbacks = new WorkSerializer(logger);
        _backoff = new ExponentialBackoff(backoff ?? new BackoffOptions());
        _channel = XdsServerChannel.Create(server, backoff); // the connection's backoff too (tests shorten both)
    }

    /// <summary>The control plane this client talks to.</summary>
    public string ServerUri => _server.ServerUri;

    /// <summary>Opens the ADS stream (and keeps reopening it) until the client is disposed.</summary>
    public void Start() => _loop = Task.Run(RunAsync);

    /// <summary>
    /// Watches one resource: the watcher hears about the cached value at once (if any) and every change after. The
    /// first watcher of a name subscribes to it; disposing the last one unsubscribes.
    /// </summary>
    public IDisposable Watch(XdsResourceType type, string name, IXdsWatcher watcher)
    {
        lock (_gate)
        {
            var types = TypeOf(type);
            if (!types.Resources.TryGetValue(name, out var resource))
            {
                types.Resources[name] = resource = new ResourceState();
                SendSubscriptionLocked(types);
                StartDoesNotExistTimerLocked(types, name, resource);
            }

            resource.Watchers.Add(watcher);
            if (resource.Value is { } value)
            {
                _callbacks.Enqueue(() => watcher.OnResourceChanged(value));
                if (resource.Status == XdsResourceStatusKind.Nacked)
                {
                    var error = resource.Error!;
                    _callbacks.Enqueue(() => watcher.OnAmbientError(error));
                }
            }
            else if (resource.Status is XdsResourceStatusKind.DoesNotExist or XdsResourceStatusKind.Nacked || resource.Error is not null)
            {
                var error = resource.Error ?? $"{type.ShortName} resource {name} does not exist";
                _callbacks.Enqueue(() => watcher.OnResourceError(error));
            }
        }

        _callbacks.Drain();
        return new Subscription(this, type, name, watcher);
    }

    /// <summary>Every watched resource and where it stands, for diagnostics (CSDS-like).</summary>
    public IReadOnlyList<XdsResourceStatus> GetStatus()
    {
        lock (_gate)
        {
            return _types.Values
                .SelectMany(t => t.Resources.Select(r => new XdsResourceStatus(t.Type.TypeUrl, r.Key, r.Value.Status, r.Value.Version, r.Value.Error, r.Value.Updated, r.Value.Value) { Raw = r.Value.Raw }))
                .ToArray();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _disposed.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // stopping
        }

        lock (_gate)
        {
            foreach (var resource in _types.Values.SelectMany(t => t.Resources.Values))
            {
                resource.Timer?.Dispose();
            }
        }

        _channel.Dispose();
        _disposed.Dispose();
    }

    private void Unwatch(XdsResourceType type, string name, IXdsWatcher watcher)
    {
        lock (_gate)
        {
            var types = TypeOf(type);
            if (types.Resources.TryGetValue(name, out var resource) && resource.Watchers.Remove(watcher) && resource.Watchers.Count == 0)
            {
                resource.Timer?.Dispose();
                types.Resources.Remove(name);
                SendSubscriptionLocked(types);
            }
        }
    }

    private async Task RunAsync()
    {
        var client = new AggregatedDiscoveryService.AggregatedDiscoveryServiceClient(_channel);
        var token = _disposed.Token;
        while (!token.IsCancellationRequested)
        {
            var responses = 0;
            var outgoing = Channel.CreateUnbounded<DiscoveryRequest>(new UnboundedChannelOptions { SingleReader = true });
            try
            {
                using var call = client.StreamAggregatedResources(cancellationToken: token);
                lock (_gate)
                {
                    _outgoing = outgoing;
                    _nodeSent = false;
                    foreach (var types in _types.Values)
                    {
                        types.Nonce = ""; // nonces belong to a stream; the accepted version carries over
                    }

                    foreach (var types in _types.Values.Where(t => t.Resources.Count > 0))
                    {
                        SendSubscriptionLocked(types);
                        foreach (var (name, resource) in types.Resources)
                        {
                            StartDoesNotExistTimerLocked(types, name, resource);
                        }
                    }
                }

                var writer = WriteRequestsAsync(call.RequestStream, outgoing.Reader, token);
                await foreach (var response in call.ResponseStream.ReadAllAsync(token).ConfigureAwait(false))
                {
                    responses++;
                    _backoff.Reset();
                    OnResponse(response);
                }

                outgoing.Writer.TryComplete();
                await writer.ConfigureAwait(false);
                throw new RpcException(new Status(StatusCode.Unavailable, "the control plane closed the stream"));
            }
            catch (Exception ex) when (!token.IsCancellationRequested)
            {
                outgoing.Writer.TryComplete();
                var delay = responses > 0 ? TimeSpan.Zero : _backoff.NextDelay();
                var message = ex is RpcException rpc ? $"{rpc.StatusCode}: {rpc.Status.Detail}" : ex.Message;
                XdsClientLog.StreamFailed(_logger, _server.ServerUri, responses, delay, message);
                OnStreamFailed($"xDS stream to {_server.ServerUri} failed: {message}");
                await Task.Delay(delay, _time, token).ConfigureAwait(false);
            }
            catch (Exception) when (token.IsCancellationRequested)
            {
                return; // disposed
            }
        }
    }

    private static async Task WriteRequestsAsync(IClientStreamWriter<DiscoveryRequest> stream, ChannelReader<DiscoveryRequest> requests, CancellationToken token)
    {
        try
        {
            await foreach (var request in requests.ReadAllAsync(token).ConfigureAwait(false))
            {
                await stream.WriteAsync(request, token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is RpcException or OperationCanceledException or InvalidOperationException or IOException)
        {
            // the stream failed; the reader sees why
        }
    }

    // A57: the stream is gone. Timers stop (silence is not absence while nobody is listening); watchers of cached
    // resources hear an ambient error, the others a resource error, so a channel without config fails its calls.
    private void OnStreamFailed(string error)
    {
        lock (_gate)
        {
            _outgoing = null;
            foreach (var types in _types.Values)
            {
                foreach (var resource in types.Resources.Values)
                {
                    resource.Timer?.Dispose();
                    resource.Timer = null;
                    var watchers = resource.Watchers.ToArray();
                    if (resource.Value is not null)
                    {
                        _callbacks.Enqueue(() => Array.ForEach(watchers, w => w.OnAmbientError(error)));
                    }
                    else if (resource.Status != XdsResourceStatusKind.DoesNotExist)
                    {
                        resource.Error = error;
                        _callbacks.Enqueue(() => Array.ForEach(watchers, w => w.OnResourceError(error)));
                    }
                }
            }
        }

        _callbacks.Drain();
    }

    private void OnResponse(DiscoveryResponse response)
    {
        var type = XdsResourceTypes.Find(response.TypeUrl);
        lock (_gate)
        {
            if (type is null)
            {
                // A27: a type this client never asked for is NACKed.
                SendLocked(new DiscoveryRequest { TypeUrl = response.TypeUrl, ResponseNonce = response.Nonce, ErrorDetail = new Google.Rpc.Status { Code = (int)StatusCode.InvalidArgument, Message = $"resource type {response.TypeUrl} is not supported" } });
                return;
            }

            var types = TypeOf(type);
            var problems = new List<string>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var now = _time.GetUtcNow();
            foreach (var any in response.Resources)
            {
                var result = type.Decode(any, _context);
                if (result.Name is not { } name)
                {
                    problems.Add(result.Describe());
                    continue;
                }

                if (!seen.Add(name))
                {
                    problems.Add($"{name}: appears twice in the response");
                    continue;
                }

                if (!result.IsValid)
                {
                    problems.Add(result.Describe());
                }

                if (types.Resources.TryGetValue(name, out var resource))
                {
                    Apply(type, name, resource, result, any.Value, response.VersionInfo, now);
                }
            }

            if (type.AllResourcesRequired)
            {
                foreach (var (name, resource) in types.Resources)
                {
                    if (!seen.Contains(name))
                    {
                        Deleted(type, name, resource, now);
                    }
                }
            }

            types.Nonce = response.Nonce;
            if (problems.Count == 0)
            {
                types.Version = response.VersionInfo;
                XdsClientLog.Acked(_logger, type.ShortName, response.VersionInfo, _server.ServerUri, response.Resources.Count);
                SendSubscriptionLocked(types);
            }
            else
            {
                var detail = string.Join("\n", problems);
                XdsClientLog.Nacked(_logger, type.ShortName, response.VersionInfo, _server.ServerUri, detail);
                SendSubscriptionLocked(types, new Google.Rpc.Status { Code = (int)StatusCode.InvalidArgument, Message = detail });
            }
        }

        _callbacks.Drain();
    }

    private void Apply(XdsResourceType type, string name, ResourceState resource, XdsDecodeResult result, ByteString raw, string version, DateTimeOffset now)
    {
        resource.Timer?.Dispose();
        resource.Timer = null;
        var watchers = resource.Watchers.ToArray();
        if (result.IsValid)
        {
            var changed = resource.Raw is null || !resource.Raw.Equals(raw);
            (resource.Raw, resource.Value, resource.Version, resource.Status, resource.Error, resource.Updated) = (raw, result.Resource, version, XdsResourceStatusKind.Acked, null, now);
            if (changed)
            {
                var value = result.Resource!;
                _callbacks.Enqueue(() => Array.ForEach(watchers, w => w.OnResourceChanged(value)));
            }

            return;
        }

        // A88: a rejected update keeps the cached version unless the server asks clients to fail on data errors.
        var error = $"{type.ShortName} resource {result.Describe()}";
        (resource.Status, resource.Error, resource.Updated) = (XdsResourceStatusKind.Nacked, error, now);
        if (resource.Value is not null && !_server.FailOnDataErrors)
        {
            _callbacks.Enqueue(() => Array.ForEach(watchers, w => w.OnAmbientError(error)));
        }
        else
        {
            (resource.Raw, resource.Value, resource.Version) = (null, null, null);
            _callbacks.Enqueue(() => Array.ForEach(watchers, w => w.OnResourceError(error)));
        }
    }

    private void Deleted(XdsResourceType type, string name, ResourceState resource, DateTimeOffset now)
    {
        var watchers = resource.Watchers.ToArray();
        if (resource.Value is not null && _server.IgnoreResourceDeletion)
        {
            var ambient = $"{type.ShortName} resource {name} was deleted by the control plane; the cached version is kept (ignore_resource_deletion)";
            _callbacks.Enqueue(() => Array.ForEach(watchers, w => w.OnAmbientError(ambient)));
            return;
        }

        if (resource.Status == XdsResourceStatusKind.DoesNotExist)
        {
            return;
        }

        resource.Timer?.Dispose();
        resource.Timer = null;
        var error = $"{type.ShortName} resource {name} does not exist";
        (resource.Raw, resource.Value, resource.Version, resource.Status, resource.Error, resource.Updated) = (null, null, null, XdsResourceStatusKind.DoesNotExist, error, now);
        XdsClientLog.DoesNotExist(_logger, type.ShortName, name, _server.ServerUri);
        _callbacks.Enqueue(() => Array.ForEach(watchers, w => w.OnResourceError(error)));
    }

    private void StartDoesNotExistTimerLocked(TypeState types, string name, ResourceState resource)
    {
        if (_outgoing is null || resource.Value is not null || resource.Status == XdsResourceStatusKind.DoesNotExist || resource.Timer is not null)
        {
            return;
        }

        resource.Timer = _time.CreateTimer(_ => OnDoesNotExistTimer(types, name, resource), null, DoesNotExistTimeout, Timeout.InfiniteTimeSpan);
    }

    private void OnDoesNotExistTimer(TypeState types, string name, ResourceState resource)
    {
        lock (_gate)
        {
            if (resource.Timer is null || resource.Value is not null || !types.Resources.TryGetValue(name, out var current) || current != resource)
            {
                return;
            }

            resource.Timer.Dispose();
            resource.Timer = null;
            var error = $"{types.Type.ShortName} resource {name} does not exist (no response within {DoesNotExistTimeout.TotalSeconds:0} s)";
            (resource.Status, resource.Error, resource.Updated) = (XdsResourceStatusKind.DoesNotExist, error, _time.GetUtcNow());
            XdsClientLog.DoesNotExist(_logger, types.Type.ShortName, name, _server.ServerUri);
            var watchers = resource.Watchers.ToArray();
            _callbacks.Enqueue(() => Array.ForEach(watchers, w => w.OnResourceError(error)));
        }

        _callbacks.Drain();
    }

    // The type's current subscription, with the last accepted version and the last nonce: an ACK, a NACK (with
    // the error), or a change of names.
    private void SendSubscriptionLocked(TypeState types, Google.Rpc.Status? error = null)
    {
        var request = new DiscoveryRequest { TypeUrl = types.Type.TypeUrl, VersionInfo = types.Version, ResponseNonce = types.Nonce, ErrorDetail = error };
        request.ResourceNames.AddRange(types.Resources.Keys.Order(StringComparer.Ordinal));
        SendLocked(request);
    }

    private void SendLocked(DiscoveryRequest request)
    {
        if (_outgoing is null)
        {
            return; // sent when the next stream opens
        }

        if (!_nodeSent)
        {
            request.Node = _node; // A27: the node goes on the first request of each stream
            _nodeSent = true;
        }

        _outgoing.Writer.TryWrite(request);
    }

    private TypeState TypeOf(XdsResourceType type)
    {
        if (!_types.TryGetValue(type.TypeUrl, out var state))
        {
            _types[type.TypeUrl] = state = new TypeState(type);
        }

        return state;
    }

    private static Envoy.Config.Core.V3.Node ToProto(XdsNode node)
    {
        var proto = new Envoy.Config.Core.V3.Node
        {
            Id = node.Id,
            Cluster = node.Cluster,
            UserAgentName = "Proxyless",
            UserAgentVersion = typeof(XdsClient).Assembly.GetName().Version?.ToString() ?? "",
            ClientFeatures = { "envoy.lb.does_not_support_overprovisioning", "xds.config.resource-in-sotw" },
        };
        if (node.Region.Length + node.Zone.Length + node.SubZone.Length > 0)
        {
            proto.Locality = new Envoy.Config.Core.V3.Locality { Region = node.Region, Zone = node.Zone, SubZone = node.SubZone };
        }

        if (node.Metadata is { } metadata)
        {
            proto.Metadata = Google.Protobuf.WellKnownTypes.Struct.Parser.ParseJson(metadata.GetRawText());
        }

        return proto;
    }

    private sealed class TypeState(XdsResourceType type)
    {
        public XdsResourceType Type { get; } = type;

        public string Version { get; set; } = "";

        public string Nonce { get; set; } = "";

        public Dictionary<string, ResourceState> Resources { get; } = new(StringComparer.Ordinal);
    }

    private sealed class ResourceState
    {
        public List<IXdsWatcher> Watchers { get; } = [];

        public ByteString? Raw { get; set; }

        public object? Value { get; set; }

        public string? Version { get; set; }

        public XdsResourceStatusKind Status { get; set; }

        public string? Error { get; set; }

        public DateTimeOffset? Updated { get; set; }

        public ITimer? Timer { get; set; }
    }

    private sealed class Subscription(XdsClient client, XdsResourceType type, string name, IXdsWatcher watcher) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                client.Unwatch(type, name, watcher);
            }
        }
    }
}
