namespace Proxyless.Configuration;

/// <summary>
/// The parts of one <c>methodConfig</c> entry that grpc-dotnet's <c>GrpcChannel</c> does not apply itself:
/// the default <c>timeout</c> and <c>waitForReady</c>. The balanced channel applies them per call.
/// </summary>
/// <param name="Names">The <c>name</c> list: each (service, method) pair; an empty service means every service.</param>
/// <param name="Timeout">The default deadline from the start of the call, or null.</param>
/// <param name="WaitForReady">The default wait-for-ready flag, or null.</param>
internal sealed record MethodCallSettings(IReadOnlyList<(string Service, string Method)> Names, TimeSpan? Timeout, bool? WaitForReady);
