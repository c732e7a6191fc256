namespace Proxyless.Xds.Resources;

/// <summary>
/// Collects what is wrong with one resource while it is decoded, each problem with the field path where it was found
/// (<c>virtual_hosts[0].routes[2].match.safe_regex.regex</c>), so a NACK can name every one of them, as C-core does.
/// </summary>
internal sealed class XdsErrors
{
    private readonly List<string> _problems = [];

    /// <summary>True when nothing was wrong.</summary>
    public bool IsEmpty => _problems.Count == 0;

    /// <summary>The problems found, each "path: problem".</summary>
    public IReadOnlyList<string> Problems => _problems;

    /// <summary>Records a problem at <paramref name="path"/>.</summary>
    public void Add(string path, string problem) => _problems.Add(path.Length == 0 ? problem : $"{path}: {problem}");

    /// <summary>Joins a field to a path.</summary>
    public static string Field(string path, string field) => path.Length == 0 ? field : path + "." + field;

    /// <summary>Joins an index to a path.</summary>
    public static string Index(string path, int index) => $"{path}[{index}]";
}
