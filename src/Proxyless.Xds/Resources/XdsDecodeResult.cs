namespace Proxyless.Xds.Resources;

/// <summary>
/// What decoding one resource of a response gave: its name (null when even that could not be read), and either the
/// decoded resource or the problems that make the client NACK it.
/// </summary>
internal sealed record XdsDecodeResult(string? Name, object? Resource, IReadOnlyList<string> Problems)
{
    /// <summary>True when the resource is usable.</summary>
    public bool IsValid => Problems.Count == 0 && Resource is not null;

    /// <summary>A valid resource.</summary>
    public static XdsDecodeResult Valid(string name, object resource) => new(name, resource, []);

    /// <summary>A resource the client rejects.</summary>
    public static XdsDecodeResult Invalid(string? name, IReadOnlyList<string> problems) => new(name, null, problems);

    /// <summary>A resource the client rejects for one reason.</summary>
    public static XdsDecodeResult Invalid(string? name, string problem) => new(name, null, [problem]);

    /// <summary>The NACK text for this resource: its name and every problem.</summary>
    public string Describe() => $"{Name ?? "(unnamed resource)"}: {string.Join("; ", Problems)}";
}
