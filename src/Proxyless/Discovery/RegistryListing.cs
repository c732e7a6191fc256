namespace Proxyless.Discovery;

/// <summary>What a registry holds for one service: the instances it serves and the entries it skipped.</summary>
/// <param name="Instances">The live, well-formed instances.</param>
/// <param name="Skipped">Entries that are not served, each with the reason.</param>
public sealed record RegistryListing(IReadOnlyList<ServiceInstance> Instances, IReadOnlyList<SkippedEntry> Skipped);
