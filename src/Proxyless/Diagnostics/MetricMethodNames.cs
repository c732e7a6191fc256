using System.Collections.Concurrent;

namespace Proxyless.Diagnostics;

/// <summary>
/// The <c>grpc.method</c> label of a call: its full name without the leading slash (<c>package.Service/Method</c>), or
/// <c>other</c> (gRFC A66's value for methods that could blow up the label's cardinality): a request path that is not a
/// gRPC method name, and any method past the first <see cref="Limit"/> distinct names this process has recorded.
/// .NET has no generic stub apart from generated ones, so every method called through a <c>Method</c> counts as
/// registered. Lookups of a known name allocate nothing.
/// </summary>
internal static class MetricMethodNames
{
    /// <summary>How many distinct method names are recorded before new ones become <see cref="Other"/>.</summary>
    public const int Limit = 1000;

    /// <summary>A66's label value for a method not recorded by name.</summary>
    public const string Other = "other";

    private static readonly ConcurrentDictionary<string, string> Names = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> ByPath = Names.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>The label for a request path or full method name, <c>/package.Service/Method</c>.</summary>
    public static string FromPath(ReadOnlySpan<char> path)
    {
        if (ByPath.TryGetValue(path, out var name))
        {
            return name;
        }

        if (path.Length < 4 || path[0] != '/' || path[1..].Count('/') != 1 || path[1] == '/' || path[^1] == '/' || Names.Count >= Limit)
        {
            return Other;
        }

        var text = path.ToString();
        return Names.GetOrAdd(text, static t => t[1..]);
    }

    /// <summary>The label for a request's path.</summary>
    public static string FromRequest(HttpRequestMessage request) => request.RequestUri is { } uri ? FromPath(uri.AbsolutePath) : Other;
}
