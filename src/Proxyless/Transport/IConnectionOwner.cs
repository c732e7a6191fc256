namespace Proxyless.Transport;

/// <summary>What a <see cref="ConnectionStream"/> tells the subchannel that owns it. Each call happens at most once.</summary>
internal interface IConnectionOwner
{
    /// <summary>The server's first SETTINGS frame arrived: the HTTP/2 connection is established.</summary>
    void OnSettingsReceived(ConnectionStream connection);

    /// <summary>The server sent GOAWAY: the connection takes no new calls.</summary>
    void OnGoAway(ConnectionStream connection, ConnectionEnd end);

    /// <summary>The connection is dead (closed, broken, unanswered keepalive, or closed by this client).</summary>
    void OnClosed(ConnectionStream connection, ConnectionEnd end);
}
