using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Proxyless.Discovery;

/// <summary>Options of <see cref="FileRegistry"/>.</summary>
public sealed class FileRegistryOptions
{
    /// <summary>The default directory: <c>&lt;local app data&gt;/proxyless/registry</c>.</summary>
    public static string DefaultDirectory => Path.Combine(
        Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create) is { Length: > 0 } local
            ? local
            : Path.GetTempPath(),
        "proxyless",
        "registry");

    /// <summary>Where entries are kept: one JSON file per instance at <c>&lt;dir&gt;/&lt;service&gt;/&lt;id&gt;.json</c>.</summary>
    public string Directory { get; set; } = DefaultDirectory;

    /// <summary>How often a registered instance rewrites its heartbeat.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>An entry whose heartbeat is older than this is stale (its process is gone) and is removed.</summary>
    public TimeSpan StaleAfter { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often watchers rescan, in addition to file-system notifications (also the fallback when those fail).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Logging.</summary>
    public ILoggerFactory LoggerFactory { get; set; } = NullLoggerFactory.Instance;

    /// <summary>Clock for heartbeats and staleness.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}
