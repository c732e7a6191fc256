using System.Text.Json;
using System.Text.Json.Nodes;
using Proxyless.Diagnostics;
using Proxyless.Resolution;
using Proxyless.Xds;
using Spectre.Console;

namespace Proxyless.Cli;

/// <summary>
/// <c>proxyless xds dump</c>: opens a channel for an <c>xds:///</c> target, waits until the control plane has answered
/// every resource the target depends on (or the timeout), and prints them as JSON: type, name, ACKED / NACKED /
/// DOES_NOT_EXIST / REQUESTED, version, error, last update and the resource itself. Exit code 0 when every resource is
/// ACKED, 1 otherwise (a NACK, a missing resource, or no answer in time).
/// </summary>
internal static class XdsDump
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static async Task<int> RunAsync(IAnsiConsole console, string target, string? bootstrapFile, TimeSpan timeout)
    {
        if (!target.StartsWith("xds:", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"'{target}' is not an xds: target (expected e.g. xds:///greeter).");
        }

        var resolvers = ResolverRegistry.CreateDefault();
        if (bootstrapFile is not null)
        {
            if (!File.Exists(bootstrapFile))
            {
                throw new FileNotFoundException($"--bootstrap: {bootstrapFile} does not exist.");
            }

            resolvers.AddXds(await File.ReadAllTextAsync(bootstrapFile));
        }

        using var channel = BalancedChannel.Create(target, new BalancedChannelOptions { Resolvers = resolvers });
        using var stop = new CancellationTokenSource(timeout);
        _ = channel.ConnectAsync(stop.Token).ContinueWith(static t => _ = t.Exception, TaskScheduler.Default);

        // Answered: every resource has a final state, and nothing new was subscribed in the last look.
        var snapshot = channel.GetDiagnostics();
        var answered = false;
        while (!stop.IsCancellationRequested)
        {
            await Task.Delay(50, CancellationToken.None);
            var next = channel.GetDiagnostics();
            answered = next.Resources.Count > 0 && next.Resources.All(r => r.Status != "REQUESTED") && next.Resources.Count == snapshot.Resources.Count;
            snapshot = next;
            if (answered)
            {
                break;
            }
        }

        var document = new JsonObject
        {
            ["target"] = target,
            ["state"] = snapshot.State.ToString(),
            ["answered"] = answered,
            ["resources"] = new JsonArray(snapshot.Resources.Select(ToJson).ToArray()),
        };
        console.Profile.Out.Writer.WriteLine(document.ToJsonString(Indented));
        return answered && snapshot.Resources.All(r => r.Status == "ACKED") ? 0 : 1;
    }

    private static JsonNode ToJson(ResourceDiagnostics resource) => new JsonObject
    {
        ["type"] = resource.Type,
        ["name"] = resource.Name,
        ["status"] = resource.Status,
        ["version"] = resource.Version,
        ["error"] = resource.Error,
        ["lastUpdated"] = resource.LastUpdated?.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
        ["resource"] = resource.Json is null ? null : JsonNode.Parse(resource.Json),
    };
}
