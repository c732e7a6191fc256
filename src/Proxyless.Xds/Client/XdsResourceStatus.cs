namespace Proxyless.Xds.Client;

/// <summary>Where a watched resource stands, as CSDS (gRFC A40) reports it.</summary>
internal enum XdsResourceStatusKind
{
    /// <summary>Subscribed; nothing received yet.</summary>
    Requested,

    /// <summary>Received and accepted.</summary>
    Acked,

    /// <summary>The last version received was rejected; <see cref="XdsResourceStatus.Version"/> is the one in use, if any.</summary>
    Nacked,

    /// <summary>The server says (or its silence for 15 s says) it does not exist.</summary>
    DoesNotExist,
}

/// <summary>One watched resource in a client's cache, for diagnostics.</summary>
internal sealed record XdsResourceStatus(string TypeUrl, string Name, XdsResourceStatusKind Status, string? Version, string? Error, DateTimeOffset? LastUpdated, object? Resource)
{
    /// <summary>The resource in use as received, when there is one.</summary>
    public Google.Protobuf.ByteString? Raw { get; init; }

    /// <summary>The status as CSDS spells it.</summary>
    public string StatusName => Status switch
    {
        XdsResourceStatusKind.Acked => "ACKED",
        XdsResourceStatusKind.Nacked => "NACKED",
        XdsResourceStatusKind.DoesNotExist => "DOES_NOT_EXIST",
        _ => "REQUESTED",
    };
}
