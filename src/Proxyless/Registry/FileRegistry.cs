using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Proxyless.Diagnostics;

namespace Proxyless.Registry;

/// <summary>
/// The embedded registry: no server, one JSON file per instance in a directory shared by the processes of one
/// machine. Files are written atomically (write, then rename), refreshed by a heartbeat, and watched with a
/// <see cref="FileSystemWatcher"/> plus polling. An entry whose heartbeat is older than
/// <see cref="FileRegistryOptions.StaleAfter"/>, or whose process on this machine has exited, is removed.
/// Malformed files are skipped with a warning naming the file.
/// </summary>
public sealed class FileRegistry : IServiceRegistrar, IServiceDiscovery, IAsyncDisposable
{
    private readonly FileRegistryOptions _options;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, Registration> _registrations = new();
    private readonly ConcurrentDictionary<string, DateTime> _warned = new();

    /// <summary>Creates a registry over <see cref="FileRegistryOptions.Directory"/>.</summary>
    /// <param name="options">Options; defaults when null.</param>
    public FileRegistry(FileRegistryOptions? options = null)
    {
        _options = options ?? new FileRegistryOptions();
        _logger = _options.LoggerFactory.CreateLogger<FileRegistry>();
    }

    /// <summary>The directory entries live in.</summary>
    public string Directory => _options.Directory;

    /// <inheritdoc />
    public async Task RegisterAsync(ServiceInstance instance, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(instance);
        var path = EntryPath(instance.Name, instance.Id);
        var registration = new Registration(instance, path);
        if (!_registrations.TryAdd(path, registration))
        {
            throw new InvalidOperationException($"Instance '{instance.Id}' of '{instance.Name}' is already registered by this registry.");
        }

        await WriteEntryAsync(registration, cancellationToken).ConfigureAwait(false);
        registration.Heartbeat = HeartbeatAsync(registration);
    }

    /// <inheritdoc />
    public async Task DeregisterAsync(ServiceInstance instance, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(instance);
        if (_registrations.TryRemove(EntryPath(instance.Name, instance.Id), out var registration))
        {
            await registration.StopAsync().ConfigureAwait(false);
            TryDelete(registration.Path);
        }
    }

    /// <summary>Stops heartbeats without deleting the entries, as a crashed process would (for tests and demos).</summary>
    public async Task AbandonAllAsync()
    {
        foreach (var (key, registration) in _registrations)
        {
            _registrations.TryRemove(key, out _);
            await registration.StopAsync().ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<ServiceInstance>> ListAsync(string serviceName, CancellationToken cancellationToken = default)
        => Task.FromResult(Scan(serviceName));

    /// <inheritdoc />
    public async IAsyncEnumerable<IReadOnlyList<ServiceInstance>> WatchAsync(string serviceName, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var directory = ServiceDirectory(serviceName);
        System.IO.Directory.CreateDirectory(directory);
        using var changed = new SemaphoreSlim(0);
        using var watcher = TryWatch(directory, () =>
        {
            if (changed.CurrentCount == 0)
            {
                changed.Release();
            }
        });

        string? last = null;
        while (!cancellationToken.IsCancellationRequested)
        {
            var instances = Scan(serviceName);
            var fingerprint = string.Join("\n", instances.Select(i => ServiceInstanceJson.Write(i)));
            if (fingerprint != last)
            {
                last = fingerprint;
                yield return instances;
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

    /// <summary>Deregisters everything this registry registered.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var registration in _registrations.Values.ToArray())
        {
            await DeregisterAsync(registration.Instance).ConfigureAwait(false);
        }
    }

    private IReadOnlyList<ServiceInstance> Scan(string serviceName)
    {
        var directory = ServiceDirectory(serviceName);
        if (!System.IO.Directory.Exists(directory))
        {
            return [];
        }

        var now = _options.TimeProvider.GetUtcNow();
        var instances = new List<ServiceInstance>();
        foreach (var file in System.IO.Directory.EnumerateFiles(directory, "*.json"))
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

            ServiceInstance instance;
            JsonElement root;
            try
            {
                instance = ServiceInstanceJson.Read(text, out root);
                if (instance.Name != serviceName)
                {
                    throw new FormatException($"it names service '{instance.Name}' but lies in the directory of '{serviceName}'");
                }
            }
            catch (FormatException ex)
            {
                // Warn once per version of the file, not on every scan.
                var stamp = File.GetLastWriteTimeUtc(file);
                if (!_warned.TryGetValue(file, out var warnedAt) || warnedAt != stamp)
                {
                    _warned[file] = stamp;
                    ResolverLog.MalformedEntry(_logger, file, ex.Message);
                }

                continue;
            }

            if (StaleReason(root, now) is { } reason)
            {
                if (!_registrations.ContainsKey(file))
                {
                    TryDelete(file);
                    ResolverLog.StaleEntryRemoved(_logger, file, reason);
                }

                continue;
            }

            instances.Add(instance);
        }

        return instances.OrderBy(i => i.Id, StringComparer.Ordinal).ToArray();
    }

    private string? StaleReason(JsonElement root, DateTimeOffset now)
    {
        if (!root.TryGetProperty("heartbeat", out var heartbeatJson) || heartbeatJson.ValueKind != JsonValueKind.String
            || !DateTimeOffset.TryParse(heartbeatJson.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var heartbeat))
        {
            return "it has no heartbeat";
        }

        if (now - heartbeat > _options.StaleAfter)
        {
            return $"its last heartbeat was {(now - heartbeat).TotalSeconds:0.#} s ago";
        }

        if (root.TryGetProperty("host", out var host) && host.GetString() == Environment.MachineName
            && root.TryGetProperty("pid", out var pidJson) && pidJson.TryGetInt32(out var pid) && !IsRunning(pid))
        {
            return $"its process {pid} has exited";
        }

        return null;
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
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    ResolverLog.HeartbeatFailed(_logger, registration.Path, ex.Message);
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
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(registration.Path)!);
        var temp = Path.Combine(Path.GetDirectoryName(registration.Path)!, $".{Path.GetFileName(registration.Path)}.{Guid.NewGuid():N}.tmp");
        await File.WriteAllTextAsync(temp, json, cancellationToken).ConfigureAwait(false);
        File.Move(temp, registration.Path, overwrite: true); // atomic: readers see the old or the new file, never half
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
            ResolverLog.RegistryWatchFailed(_logger, directory, $"file notifications unavailable ({ex.Message}); polling every {_options.PollInterval.TotalSeconds:0.#} s");
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

    private sealed class Registration(ServiceInstance instance, string path)
    {
        public ServiceInstance Instance { get; } = instance;

        public string Path { get; } = path;

        public CancellationTokenSource Stopping { get; } = new();

        public Task? Heartbeat { get; set; }

        public async Task StopAsync()
        {
            await Stopping.CancelAsync().ConfigureAwait(false);
            if (Heartbeat is not null)
            {
                await Heartbeat.ConfigureAwait(false);
            }
        }
    }
}
