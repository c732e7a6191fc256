using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace Proxyless.Xds.Resources;

/// <summary>
/// One xDS resource type: its type URL and how a resource of a response becomes a decoded, validated resource or the
/// problems the client NACKs it for. Unknown fields are ignored (protobuf parsing keeps them aside), as gRFC A27 asks.
/// </summary>
internal abstract class XdsResourceType
{
    /// <summary>The type URL, e.g. <c>type.googleapis.com/envoy.config.listener.v3.Listener</c>.</summary>
    public abstract string TypeUrl { get; }

    /// <summary>The short name used in logs and diagnostics: LDS, RDS, CDS or EDS.</summary>
    public abstract string ShortName { get; }

    /// <summary>
    /// True when every resource of the type is sent in each response (LDS and CDS in state-of-the-world), so one
    /// missing from a response has been deleted.
    /// </summary>
    public abstract bool AllResourcesRequired { get; }

    /// <summary>Decodes one resource of a response.</summary>
    public XdsDecodeResult Decode(Any resource, XdsDecodeContext context)
    {
        var any = resource;
        if (any.TypeUrl == XdsTypeUrls.ResourceWrapper)
        {
            Envoy.Service.Discovery.V3.Resource wrapper;
            try
            {
                wrapper = Envoy.Service.Discovery.V3.Resource.Parser.ParseFrom(any.Value);
            }
            catch (InvalidProtocolBufferException ex)
            {
                return XdsDecodeResult.Invalid(null, $"the Resource wrapper cannot be parsed: {ex.Message}");
            }

            if (wrapper.Resource_ is null)
            {
                return XdsDecodeResult.Invalid(wrapper.Name.Length > 0 ? wrapper.Name : null, "the Resource wrapper holds no resource");
            }

            any = wrapper.Resource_;
        }

        if (any.TypeUrl != TypeUrl)
        {
            return XdsDecodeResult.Invalid(null, $"a resource of type {any.TypeUrl} in a {ShortName} response (expected {TypeUrl})");
        }

        return DecodeMessage(any.Value, context);
    }

    /// <summary>Parses and validates the resource's bytes.</summary>
    protected abstract XdsDecodeResult DecodeMessage(ByteString value, XdsDecodeContext context);

    /// <summary>Parses a message, or returns the parse error as the only problem.</summary>
    protected static bool TryParse<T>(MessageParser<T> parser, ByteString value, out T message, out XdsDecodeResult? failure)
        where T : IMessage<T>
    {
        try
        {
            message = parser.ParseFrom(value);
            failure = null;
            return true;
        }
        catch (InvalidProtocolBufferException ex)
        {
            message = default!;
            failure = XdsDecodeResult.Invalid(null, $"the {typeof(T).Name} cannot be parsed: {ex.Message}");
            return false;
        }
    }
}
