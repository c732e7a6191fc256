using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Etcdserverpb;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Proxyless.Configuration;
using Proxyless.Discovery;
using Proxyless.Resolution;

namespace Proxyless.Etcd;

/// <summary>
/// Registration and discovery in etcd. An instance is stored at
/// <c>/services/&lt;namespace&gt;/&lt;name&gt;/&lt;version&gt;/&lt;id&gt;</c> as JSON, attached to a lease (TTL 10 s by default) that
/// is kept alive; when the lease is lost or etcd restarts, the instance is registered again. Discovery reads the
/// service prefix and then watches it; when etcd is unreachable it keeps the last instances and reconnects.
/// Malformed entries are skipped with a warning that names the key.
/// </summary>
public sealed class EtcdRegistry : IServiceRegistrar, IServiceDiscovery, IAsyncDisposable
{
    private readonly EtcdRegistryOptions _options;
    private readonly ILogger _logger;
    private readonly BalancedChannel _channel;
    private readonly KV.KVClient _kv;
    private readonly Lease.LeaseClient _lease;
    private readonly Watch.WatchClient _watch;
    private readonly RegistrationSet<EtcdRegistration> _registrations = new();

    /// <summary>Connects (lazily) to the etcd cluster in <paramref name="options"/>.</summary>
    /// <param name="options">Endpoints, namespace, lease TTL.</param>
    /// <param name="loggerFactory">Logging when <see cref="EtcdRegistryOptions.LoggerFactory"/> is left unset (the DI extensions pass the host's).</param>
    public EtcdRegistry(EtcdRegistryOptions options, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Endpoints.Count == 0)
        {
            throw new ArgumentException("At least one etcd endpoint (e.g. http://127.0.0.1:2379) is required.", nameof(options));
        }

        if (options.LeaseTtl < TimeSpan.FromSeconds(1))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.LeaseTtl, "LeaseTtl must be at least 1 s (etcd counts in seconds).");
        }

        _options = options;
        var logging = options.LoggerFactory is NullLoggerFactory && loggerFactory is not null ? loggerFactory : options.LoggerFactory;
        _logger = logging.CreateLogger<EtcdRegistry>();
        var endpoints = options.Endpoints.Select(ParseEndpoint).ToArray();

        // The etcd client is itself a balanced channel: pick_first over the cluster members, failing over between them.
        _channel = BalancedChannel.Create("etcd-cluster:///etcd", new BalancedChannelOptions
        {
            Resolvers = ResolverRegistry.CreateDefault().Register(new FixedEndpointsResolverProvider("etcd-cluster", endpoints)),
            LoggerFactory = logging,
            Connection = new Transport.ConnectionOptions
            {
                Backoff = new BackoffOptions { MaxBackoff = TimeSpan.FromSeconds(5) },
                KeepAlivePingDelay = TimeSpan.FromSeconds(5),
                KeepAlivePingTimeout = TimeSpan.FromSeconds(5),
            },
        });
        _kv = new KV.KVClient(_channel);
        _lease = new Lease.LeaseClient(_channel);
        _watch = new Watch.WatchClient(_channel);
    }

    /// <summary>A resolver provider for <c>etcd:///&lt;service-name&gt;</c> backed by this registry.</summary>
    /// <param name="scheme">The scheme (default <c>etcd</c>).</param>
    public ResolverProvider CreateResolverProvider(string scheme = "etcd") => new RegistryResolverProvider(scheme, this);

    /// <inheritdoc />
    public Task RegisterAsync(ServiceInstance instance, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(instance);
        var registration = new EtcdRegistration(instance, EtcdKeys.InstanceKey(_options.Namespace, instance), ServiceInstanceJson.Write(instance));
        return _registrations.AddAsync(registration, PutWithNewLeaseAsync, KeepRegisteredAsync, cancellationToken);
    }

    /// <inheritdoc />
    public async Task DeregisterAsync(ServiceInstance instance, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(instance);
        if (await _registrations.RemoveAsync(EtcdKeys.InstanceKey(_options.Namespace, instance)).ConfigureAwait(false) is { } registration)
        {
            await DeleteAsync(registration, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Stops renewing leases without deleting anything, as a crashed process would (for tests and demos).</summary>
    public Task AbandonAllAsync() => _registrations.RemoveAllAsync();

    /// <inheritdoc />
    public async Task<IReadOnlyList<ServiceInstance>> ListAsync(string serviceName, CancellationToken cancellationToken = default)
        => (await InspectAsync(serviceName, cancellationToken).ConfigureAwait(false)).Instances;

    /// <inheritdoc />
    public async Task<RegistryListing> InspectAsync(string serviceName, CancellationToken cancellationToken = default)
    {
        var skipped = new List<SkippedEntry>();
        var (instances, _) = await ReadAsync(EtcdKeys.ServicePrefix(_options.Namespace, serviceName), cancellationToken, skipped).ConfigureAwait(false);
        return new RegistryListing(Snapshot(instances), skipped);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<IReadOnlyList<ServiceInstance>> WatchAsync(string serviceName, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var updates = Channel.CreateUnbounded<IReadOnlyList<ServiceInstance>>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var producer = ProduceAsync(EtcdKeys.ServicePrefix(_options.Namespace, serviceName), updates.Writer, stop.Token);
        try
        {
            // The producer completes the channel when cancelled, which ends this loop without an exception.
            await foreach (var snapshot in updates.Reader.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
            {
                yield return snapshot;
            }
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await producer.ConfigureAwait(false);
        }
    }

    /// <summary>Deregisters everything this registry registered and closes the connection to etcd.</summary>
    public async ValueTask DisposeAsync()
    {
        await _registrations.RemoveAllAsync(async registration =>
        {
            try
            {
                await DeleteAsync(registration, CancellationToken.None).ConfigureAwait(false);
            }
            catch (RpcException)
            {
                // etcd unreachable: the lease expires on its own.
            }
        }).ConfigureAwait(false);
        _channel.Dispose();
    }

    private async Task DeleteAsync(EtcdRegistration registration, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + _options.RequestTimeout;
        await _kv.DeleteRangeAsync(new DeleteRangeRequest { Key = ByteString.CopyFromUtf8(registration.Key) }, deadline: deadline, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (registration.LeaseId != 0)
        {
            await _lease.LeaseRevokeAsync(new LeaseRevokeRequest { ID = registration.LeaseId }, deadline: deadline, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task ProduceAsync(string prefix, ChannelWriter<IReadOnlyList<ServiceInstance>> writer, CancellationToken cancellationToken)
    {
        var backoff = new ExponentialBackoff(new BackoffOptions { MaxBackoff = TimeSpan.FromSeconds(5) });
        var published = new InstanceSetChange();
        async Task PublishAsync(Dictionary<string, ServiceInstance> instances)
        {
            var snapshot = Snapshot(instances);
            if (published.IsNew(snapshot))
            {
                await writer.WriteAsync(snapshot, cancellationToken).ConfigureAwait(false);
            }
        }

        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var (instances, revision) = await ReadAsync(prefix, cancellationToken).ConfigureAwait(false);
                await PublishAsync(instances).ConfigureAwait(false);
                backoff.Reset();

                using var call = _watch.Watch(cancellationToken: cancellationToken);
                await call.RequestStream.WriteAsync(new WatchRequest
                {
                    CreateRequest = new WatchCreateRequest { Key = ByteString.CopyFromUtf8(prefix), RangeEnd = EtcdKeys.RangeEnd(prefix), StartRevision = revision + 1 },
                }, cancellationToken).ConfigureAwait(false);
                await foreach (var response in call.ResponseStream.ReadAllAsync(cancellationToken).ConfigureAwait(false))
                {
                    if (response.Canceled || response.CompactRevision != 0)
                    {
                        break; // compacted or cancelled by the server: read everything again
                    }

                    foreach (var change in response.Events)
                    {
                        var key = change.Kv.Key.ToStringUtf8();
                        instances.Remove(key);
                        if (change.Type == Mvccpb.Event.Types.EventType.Put && Parse(key, change.Kv.Value) is { } instance)
                        {
                            instances[key] = instance;
                        }
                    }

                    await PublishAsync(instances).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex is RpcException or IOException or OperationCanceledException)
            {
                var delay = backoff.NextDelay();
                EtcdLog.WatchFailed(_logger, prefix, ex.Message, delay);
                try
                {
                    await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
            catch (Exception) when (cancellationToken.IsCancellationRequested)
            {
                break; // stopping: the call ends as cancelled (RpcException or OperationCanceledException)
            }
        }

        writer.TryComplete();
    }

    private async Task<(Dictionary<string, ServiceInstance> Instances, long Revision)> ReadAsync(string prefix, CancellationToken cancellationToken, List<SkippedEntry>? skipped = null)
    {
        var response = await _kv.RangeAsync(
            new RangeRequest { Key = ByteString.CopyFromUtf8(prefix), RangeEnd = EtcdKeys.RangeEnd(prefix) },
            deadline: DateTime.UtcNow + _options.RequestTimeout,
            cancellationToken: cancellationToken).ConfigureAwait(false);
        var instances = new Dictionary<string, ServiceInstance>(StringComparer.Ordinal);
        foreach (var kv in response.Kvs)
        {
            var key = kv.Key.ToStringUtf8();
            if (Parse(key, kv.Value, skipped) is { } instance)
            {
                instances[key] = instance;
            }
        }

        return (instances, response.Header.Revision);
    }

    private ServiceInstance? Parse(string key, ByteString value, List<SkippedEntry>? skipped = null)
    {
        try
        {
            var instance = ServiceInstanceJson.Read(value.ToStringUtf8(), out _);
            if (!key.EndsWith("/" + instance.Id, StringComparison.Ordinal))
            {
                throw new FormatException($"its id '{instance.Id}' does not match the key");
            }

            if (!key.StartsWith(EtcdKeys.ServicePrefix(_options.Namespace, instance.Name), StringComparison.Ordinal))
            {
                throw new FormatException($"'name' is '{instance.Name}' but the key files it under another service");
            }

            return instance;
        }
        catch (FormatException ex)
        {
            EtcdLog.MalformedEntry(_logger, key, ex.Message);
            skipped?.Add(new SkippedEntry(key, ex.Message));
            return null;
        }
    }

    private static IReadOnlyList<ServiceInstance> Snapshot(Dictionary<string, ServiceInstance> instances)
        => instances.Values.OrderBy(i => i.Id, StringComparer.Ordinal).ToArray();

    private async Task PutWithNewLeaseAsync(EtcdRegistration registration, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + _options.RequestTimeout;
        var lease = await _lease.LeaseGrantAsync(new LeaseGrantRequest { TTL = (long)Math.Ceiling(_options.LeaseTtl.TotalSeconds) }, deadline: deadline, cancellationToken: cancellationToken).ConfigureAwait(false);
        await _kv.PutAsync(new PutRequest
        {
            Key = ByteString.CopyFromUtf8(registration.Key),
            Value = ByteString.CopyFromUtf8(registration.Json),
            Lease = lease.ID,
        }, deadline: deadline, cancellationToken: cancellationToken).ConfigureAwait(false);
        registration.LeaseId = lease.ID;
        EtcdLog.Registered(_logger, registration.Key, lease.ID, lease.TTL);
    }

    // Renews the lease every third of its TTL; when renewal fails or etcd says the lease is gone, registers again.
    private async Task KeepRegisteredAsync(EtcdRegistration registration)
    {
        var token = registration.Stopping.Token;
        var backoff = new ExponentialBackoff(new BackoffOptions { MaxBackoff = TimeSpan.FromSeconds(5) });
        var interval = TimeSpan.FromTicks(Math.Max(_options.LeaseTtl.Ticks / 3, TimeSpan.FromMilliseconds(300).Ticks));
        var needsPut = false;
        while (!token.IsCancellationRequested)
        {
            try
            {
                if (needsPut)
                {
                    await PutWithNewLeaseAsync(registration, token).ConfigureAwait(false);
                    needsPut = false;
                    backoff.Reset();
                }

                using var call = _lease.LeaseKeepAlive(cancellationToken: token);
                while (!token.IsCancellationRequested)
                {
                    await call.RequestStream.WriteAsync(new LeaseKeepAliveRequest { ID = registration.LeaseId }, token).ConfigureAwait(false);
                    using var timeout = CancellationTokenSource.CreateLinkedTokenSource(token);
                    timeout.CancelAfter(_options.RequestTimeout);
                    if (!await call.ResponseStream.MoveNext(timeout.Token).ConfigureAwait(false))
                    {
                        throw new IOException("etcd closed the keep-alive stream");
                    }

                    if (call.ResponseStream.Current.TTL <= 0)
                    {
                        throw new InvalidOperationException("etcd no longer knows the lease");
                    }

                    await Task.Delay(interval, token).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (!token.IsCancellationRequested && ex is RpcException or IOException or InvalidOperationException or OperationCanceledException)
            {
                needsPut = true;
                var delay = backoff.NextDelay();
                EtcdLog.RegistrationLost(_logger, registration.Key, ex.Message, delay);
                try
                {
                    await Task.Delay(delay, token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
            catch (Exception) when (token.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private static BackendEndpoint ParseEndpoint(string url)
    {
        if (!Uri.TryCreate(url.Contains("://", StringComparison.Ordinal) ? url : "http://" + url, UriKind.Absolute, out var uri) || uri.Scheme != "http")
        {
            throw new ArgumentException($"'{url}' is not an etcd client URL like http://127.0.0.1:2379 (TLS to etcd is not supported yet).");
        }

        return new BackendEndpoint(new BackendAddress(uri.IdnHost.Trim('[', ']'), uri.Port));
    }

    private sealed class EtcdRegistration(ServiceInstance instance, string key, string json) : Registration(instance, key)
    {
        public string Json { get; } = json;

        public long LeaseId { get; set; }
    }
}
