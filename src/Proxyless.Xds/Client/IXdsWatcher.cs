namespace Proxyless.Xds.Client;

/// <summary>
/// Told about one resource an <see cref="XdsClient"/> watches (gRFC A88's split): a new valid version; an error that
/// leaves no usable resource (it does not exist, or it was rejected or unreachable with nothing cached); or an ambient
/// error while the cached version stays in use. Calls come one at a time, in order, never under the client's lock.
/// </summary>
internal interface IXdsWatcher
{
    /// <summary>A new version of the resource was accepted.</summary>
    void OnResourceChanged(object resource);

    /// <summary>There is no usable resource: <paramref name="error"/> says why.</summary>
    void OnResourceError(string error);

    /// <summary>Something is wrong, but the resource last delivered stays valid.</summary>
    void OnAmbientError(string error);
}
