using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using Proxyless.Balancing;

namespace Proxyless.Resolution;

/// <summary>
/// Packages that extend the default registries when an application references them, found once by assembly name:
/// <c>Proxyless.Xds</c> adds the <c>xds</c> resolver and the xDS policies, so <c>BalancedChannel.Create("xds:///x")</c>
/// works with no registration call (as grpc-go's blank import does). Trimmed applications call the package's
/// <c>AddXds()</c> extensions on their registries instead.
/// </summary>
internal static class OptionalPackages
{
    private const string XdsRegistration = "Proxyless.Xds.XdsRegistration, Proxyless.Xds";

    private static readonly Lazy<MethodInfo?> XdsDefaults = new(() => Find(XdsRegistration, "AddDefaults"));

    /// <summary>Adds the optional packages' resolvers.</summary>
    public static void AddTo(ResolverRegistry registry) => XdsDefaults.Value?.Invoke(null, [registry]);

    /// <summary>Adds the optional packages' policies.</summary>
    public static void AddTo(LoadBalancerRegistry registry) => XdsDefaults.Value?.Invoke(null, [registry]);

    [UnconditionalSuppressMessage("Trimming", "IL2057", Justification = "Optional by design: a trimmed app registers the package explicitly.")]
    [UnconditionalSuppressMessage("Trimming", "IL2075", Justification = "Optional by design: a trimmed app registers the package explicitly.")]
    private static MethodInfo? Find(string typeName, string method)
    {
        try
        {
            return Type.GetType(typeName, throwOnError: false)?.GetMethod(method, BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.Public);
        }
        catch (FileLoadException)
        {
            return null;
        }
    }
}
