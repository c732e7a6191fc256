using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Proxyless.Discovery;

/// <summary>
/// The embedded registry: no server, one JSON file per instance in a directory shared by the processes of one
/// machine. Files are written atomically (write, then rename), refreshed by a heartbeat, and watched with a
/// <see cref="FileSystemWatcher"/> plus polling. An entry whose heartbeat is older than
/// <see cref="FileRegistryOptions.StaleAfter"/>, or whose process on this machine has exited, is stale: readers skip
/// it, and processes registered under the same service delete it. A heartbeat dated in the future counts from when
/// this registry first saw it, so it still expires. A malformed file is skipped and named (once per version of the
/// file) while the service's other entries keep being served. If a service's directory disappears, watchers keep the
/// last instances they saw and registered processes recreate their entries with their next heartbeat.
/// </summary>
public sealed class FileRegistry : IServiceRegistrar, IServiceDiscovery, IAsyncDisposable
{
    private static readonly TimeSpan EmptySettleDelay = TimeSpan.FromMilliseconds(100);

    private readonly FileRegistryOptions _options;
    private readonly ILogger _logger;
    private readonly RegistrationSet<Registration> _registrations = new();
    private readonly ConcurrentDictionary<string, DateTime> _warned = new();
    private readonly ConcurrentDictionary<string, (string Heartbeat, DateTimeOffset FirstSeen)> _heartbeats = new();

    /// <summary>Creates a registry over <see cref="FileRegistryOptions.Directory"/>.</summary>
    /// <param name="options">Options; defaults when null.</param>
    /// <param name="loggerFactory">Logging when <see cref="FileRegistryOptions.LoggerFactory"/> is left unset (the DI extensions pass the host's).</param>
    public FileRegistry(FileRegistryOptions? options = null, ILoggerFactory? loggerFactory = null)
    {
        _options = options ?? new FileRegistryOptions();
        var logging = _options.LoggerFactory is Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory && loggerFactory is not null ? loggerFactory : _options.LoggerFactory;
        _logger = logging.CreateLogger<FileRegistry>();
    }

    /// <summary>The directory entries live in.</summary>
    public string Directory => _options.Directory;

    /// <inheritdoc />
    public Task RegisterAsync(ServiceInstance instance, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(instance);
        return _registrations.AddAsync(new Registration(instance, EntryPath(instance.Name, instance.Id)), WriteEntryAsync, HeartbeatAsync, cancellationToken);
    }

    /// <inheritdoc />
    public async Task DeregisterAsync(ServiceInstance instance, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(instance);
        if (await _registrations.RemoveAsync(EntryPath(instance.Name, instance.Id)).ConfigureAwait(false) is { } registration)
        {
            TryDelete(registration.Key);
        }
    }

    /// <summary>Stops heartbeats without deleting the entries, as a crashed process would (for tests and demos).</summary>
    public Task AbandonAllAsync() => _registrations.RemoveAllAsync();

    /// <inheritdoc />
    public Task<IReadOnlyList<ServiceInstance>> ListAsync(string serviceName, CancellationToken cancellationToken = default)
        => Task.FromResult(Scan(serviceName)?.Listing.Instances ?? []);

    /// <inheritdoc />
    public Task<RegistryListing> InspectAsync(string serviceName, CancellationToken cancellationToken = default)
        => Task.FromResult(Scan(serviceName)?.Listing ?? new RegistryListing([], []));

    /// <inheritdoc />
    public async IAsyncEnumerable<IReadOnlyList<ServiceInstance>> WatchAsync(string serviceName, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var directory = ServiceDirectory(serviceName);
        System.IO.Directory.CreateDirectory(directory);
        using var changed = new SemaphoreSlim(0);
        var change = new InstanceSetChange();
        var missing = false;
        var watcher = TryWatch(directory, Signal);
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var scan = Scan(serviceName);
                if (scan is { Listing.Instances.Count: 0 } && change.HadInstances)
                {
                    // Emptied: perhaps a directory being deleted file by file. Look again before telling anyone.
                    try
                    {
                        await Task.Delay(EmptySettleDelay, _options.TimeProvider, cancellationToken).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        yield break;
                    }

                    scan = Scan(serviceName);
                }

                if (scan is not null)
                {
                    missing = false;
                    watcher ??= TryWatch(directory, Signal); // the directory came back: watch the new one
                    if (change.IsNew(scan.Listing.Instances))
                    {
                        yield return scan.Listing.Instances;
                    }
                }
                else if (!missing)
                {
                    // Deleted under us: not "no instances" but a registry that is not there. Keep the last list.
                    missing = true;
                    watcher?.Dispose();
                    watcher = null;
                    DiscoveryLog.RegistryWatchFailed(_logger, serviceName, $"the directory {directory} is missing; keeping the last instances until it is back");
                }

                try
                {
                    await changed.WaitAsync(_options.PollInterval, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    yield break;
                }
            }
        }
        finally
        {
            watcher?.Dispose();
        }

        void Signal()
        {
            if (changed.CurrentCount == 0)
            {
                changed.Release();
            }
        }
    }

    /// <summary>Deregisters everything this registry registered.</summary>
    public async ValueTask DisposeAsync() => await _registrations.RemoveAllAsync(registration =>
    {
        TryDelete(registration.Key);
        return Task.CompletedTask;
    }).ConfigureAwait(false);

    // Reads a service's directory; null when the directory does not exist. Never deletes anything.
    private ScanResult? Scan(string serviceName)
    {
        var directory = ServiceDirectory(serviceName);
        if (!System.IO.Directory.Exists(directory))
        {
            return null;
        }

        var now = _options.TimeProvider.GetUtcNow();
        var instances = new List<ServiceInstance>();
        var skipped = new List<SkippedEntry>();
        var stale = new List<string>();
        IEnumerable<string> files;
        try
        {
            files = System.IO.Directory.EnumerateFiles(directory, "*.json").ToArray();
        }
        catch (DirectoryNotFoundException)
        {
            return null; // removed while we looked
        }

        foreach (var file in files)
        {
            string text;
            try
            {
                text = File.ReadAllText(file);
            }
            catch (IOException)
            {
                continue; // removed while we looked
            }

            try
            {
                var instance = ServiceInstanceJson.Read(text, out var extra);
                if (instance.Name != serviceName)
                {
                    throw new FormatException($"'name' is '{instance.Name}' but the entry lies in the directory of '{serviceName}'");
                }

                if (StaleReason(file, extra, now) is { } reason)
                {
                    skipped.Add(new SkippedEntry(file, "stale: " + reason));
                    stale.Add(file);
                    continue;
                }

                instances.Add(instance);
            }
            catch (Exception ex) when (ex is FormatException or InvalidOperationException or ArgumentException)
            {
                skipped.Add(new SkippedEntry(file, ex.Message));

                // Warn once per version of the file, not on every scan.
                var stamp = File.GetLastWriteTimeUtc(file);
                if (!_warned.TryGetValue(file, out var warnedAt) || warnedAt != stamp)
                {
                    _warned[file] = stamp;
                    DiscoveryLog.MalformedEntry(_logger, file, ex.Message);
                }
            }
        }

        return new ScanResult(new RegistryListing(instances.OrderBy(i => i.Id, StringComparer.Ordinal).ToArray(), skipped), stale);
    }

    private string? StaleReason(string file, IReadOnlyDictionary<string, JsonElement> extra, DateTimeOffset now)
    {
        if (!extra.TryGetValue("heartbeat", out var heartbeatJson))
        {
            return "it has no heartbeat";
        }

        if (heartbeatJson.ValueKind != JsonValueKind.String
            || !DateTimeOffset.TryParse(heartbeatJson.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var heartbeat))
        {
            throw new FormatException($"'heartbeat' is {ServiceInstanceJson.Describe(heartbeatJson)}, not a date and time");
        }

        // A heartbeat counts from when this registry first saw it, if that is earlier: one dated in the future (a
        // skewed clock, a hand-written file) then still expires once nobody refreshes it.
        var seen = _heartbeats.AddOrUpdate(
            file,
            _ => (heartbeatJson.GetString()!, now),
            (_, old) => old.Heartbeat == heartbeatJson.GetString() ? old : (heartbeatJson.GetString()!, now));
        var effective = heartbeat < seen.FirstSeen ? heartbeat : seen.FirstSeen;
        if (now - effective > _options.StaleAfter)
        {
            return $"its last heartbeat was {(now - effective).TotalSeconds:0.#} s ago";
        }

        var host = extra.TryGetValue("host", out var hostJson) ? hostJson : default;
        var pid = extra.TryGetValue("pid", out var pidJson) ? pidJson : default;
        if (host.ValueKind is not (JsonValueKind.Undefined or JsonValueKind.String))
        {
            throw new FormatException($"'host' is {ServiceInstanceJson.Describe(host)}, not a string");
        }

        if (pid.ValueKind is not JsonValueKind.Undefined && (pid.ValueKind != JsonValueKind.Number || !pid.TryGetInt32(out _)))
        {
            throw new FormatException($"'pid' is {ServiceInstanceJson.Describe(pid)}, not a process id");
        }

        if (host.ValueKind == JsonValueKind.String && host.GetString() == Environment.MachineName
            && pid.ValueKind == JsonValueKind.Number && !IsRunning(pid.GetInt32()))
        {
            return $"its process {pid.GetInt32()} has exited";
        }

        return null;
    }

    // A registered process cleans up after crashed peers of its own service (readers never delete).
    private void RemoveStaleEntries(string serviceName)
    {
        foreach (var file in Scan(serviceName)?.Stale ?? [])
        {
            if (!_registrations.Contains(file))
            {
                TryDelete(file);
                _heartbeats.TryRemove(file, out _);
                DiscoveryLog.StaleEntryRemoved(_logger, file, "its process stopped refreshing it");
            }
        }
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private async Task HeartbeatAsync(Registration registration)
    {
        using var timer = new PeriodicTimer(_options.HeartbeatInterval, _options.TimeProvider);
        try
        {
            while (await timer.WaitForNextTickAsync(registration.Stopping.Token).ConfigureAwait(false))
            {
                try
                {
                    await WriteEntryAsync(registration, registration.Stopping.Token).ConfigureAwait(false);
                    RemoveStaleEntries(registration.Instance.Name);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    DiscoveryLog.HeartbeatFailed(_logger, registration.Key, ex.Message);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task WriteEntryAsync(Registration registration, CancellationToken cancellationToken)
    {
        var json = ServiceInstanceJson.Write(registration.Instance, new Dictionary<string, object>
        {
            ["pid"] = Environment.ProcessId,
            ["host"] = Environment.MachineName,
            ["heartbeat"] = _options.TimeProvider.GetUtcNow().ToString("O", CultureInfo.InvariantCulture),
        });
        var directory = Path.GetDirectoryName(registration.Key)!;
        if (!System.IO.Directory.Exists(directory) && await TryCreateDirectoryWithEntryAsync(directory, registration.Key, json, cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        var temp = Path.Combine(directory, $".{Path.GetFileName(registration.Key)}.{Guid.NewGuid():N}.tmp");
        await File.WriteAllTextAsync(temp, json, cancellationToken).ConfigureAwait(false);
        File.Move(temp, registration.Key, overwrite: true); // atomic: readers see the old or the new file, never half
    }

    // A missing service directory (deleted under us) is recreated with this entry already in it, by renaming a staging
    // directory into place, so a watcher never sees it empty. False when another registrar recreated it first.
    private static async Task<bool> TryCreateDirectoryWithEntryAsync(string directory, string entryPath, string json, CancellationToken cancellationToken)
    {
        var parent = Path.GetDirectoryName(directory)!;
        System.IO.Directory.CreateDirectory(parent);
        var staging = Path.Combine(parent, $".{Path.GetFileName(directory)}.{Guid.NewGuid():N}.tmp");
        System.IO.Directory.CreateDirectory(staging);
        try
        {
            await File.WriteAllTextAsync(Path.Combine(staging, Path.GetFileName(entryPath)), json, cancellationToken).ConfigureAwait(false);
            System.IO.Directory.Move(staging, directory);
            return true;
        }
        catch (IOException) when (System.IO.Directory.Exists(directory))
        {
            System.IO.Directory.Delete(staging, recursive: true);
            return false;
        }
    }

    private FileSystemWatcher? TryWatch(string directory, Action onChange)
    {
        try
        {
            var watcher = new FileSystemWatcher(directory, "*.json")
            {
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.CreationTime,
            };
            watcher.Created += (_, _) => onChange();
            watcher.Changed += (_, _) => onChange();
            watcher.Deleted += (_, _) => onChange();
            watcher.Renamed += (_, _) => onChange();
            watcher.EnableRaisingEvents = true;
            return watcher;
        }
        catch (Exception ex) when (ex is IOException or ArgumentException or PlatformNotSupportedException)
        {
            // Out of inotify watches, or no notifications here: polling alone still works.
            DiscoveryLog.RegistryWatchFailed(_logger, directory, $"file notifications unavailable ({ex.Message}); polling every {_options.PollInterval.TotalSeconds:0.#} s");
            return null;
        }
    }

    private string ServiceDirectory(string serviceName) => Path.Combine(_options.Directory, CheckName(serviceName, "service name"));

    private string EntryPath(string serviceName, string id) => Path.Combine(ServiceDirectory(serviceName), CheckName(id, "instance id") + ".json");

    private static string CheckName(string value, string what)
    {
        if (string.IsNullOrEmpty(value) || value.Any(c => !char.IsAsciiLetterOrDigit(c) && c is not ('-' or '_' or '.')) || value.StartsWith('.'))
        {
            throw new ArgumentException($"The {what} '{value}' may use only letters, digits, '-', '_' and '.' (and not start with '.').");
        }

        return value;
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private sealed record ScanResult(RegistryListing Listing, IReadOnlyList<string> Stale);
}
