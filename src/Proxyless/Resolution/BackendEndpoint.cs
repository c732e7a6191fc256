namespace Proxyless.Resolution;

/// <summary>
/// One backend server. It may be reachable at several addresses (say its IPv6 and IPv4 address);
/// policies balance over endpoints, and pick_first inside an endpoint chooses the address (gRFC A61).
/// </summary>
public sealed class BackendEndpoint
{
    /// <summary>Creates an endpoint.</summary>
    /// <param name="addresses">Its addresses, in order of preference; at least one.</param>
    /// <param name="attributes">Attributes of the endpoint (weight, zone, ...).</param>
    public BackendEndpoint(IReadOnlyList<BackendAddress> addresses, Attributes? attributes = null)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        if (addresses.Count == 0)
        {
            throw new ArgumentException("An endpoint needs at least one address.", nameof(addresses));
        }

        Addresses = addresses;
        Attributes = attributes ?? Attributes.Empty;
    }

    /// <summary>Creates an endpoint with one address.</summary>
    /// <param name="address">The address.</param>
    /// <param name="attributes">Attributes of the endpoint.</param>
    public BackendEndpoint(BackendAddress address, Attributes? attributes = null)
        : this([address], attributes)
    {
    }

    /// <summary>The endpoint's addresses, in order of preference.</summary>
    public IReadOnlyList<BackendAddress> Addresses { get; }

    /// <summary>Attributes of the endpoint.</summary>
    public Attributes Attributes { get; }

    /// <summary>True when <paramref name="other"/> has the same addresses, in order, and equal attributes.</summary>
    internal bool SameAs(BackendEndpoint other)
    {
        if (ReferenceEquals(this, other))
        {
            return true;
        }

        if (Addresses.Count != other.Addresses.Count || !Attributes.ContentEquals(other.Attributes))
        {
            return false;
        }

        for (var i = 0; i < Addresses.Count; i++)
        {
            if (!Addresses[i].Equals(other.Addresses[i]) || !Addresses[i].Attributes.ContentEquals(other.Addresses[i].Attributes))
            {
                return false;
            }
        }

        return true;
    }

    /// <inheritdoc />
    public override string ToString() => Addresses.Count == 1 ? Addresses[0].ToString() : "[" + string.Join(", ", Addresses) + "]";
}
