namespace Proxyless.Cli;

/// <summary>A service the command needs (a registry, the called backends) could not be reached: exit code 1.</summary>
internal sealed class ServiceUnreachableException(string message, Exception? inner = null) : Exception(message, inner);
