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

    /// <summary>The name of a resource of this type; null when its bytes cannot be parsed.</summary>
    public abstract string? ReadName(ByteString value);
}

/// <summary>
/// A resource type whose message is <typeparamref name="TMessage"/>: parsing, the name check, and the verdict are
/// shared; a decoder says where the name is and validates the rest.
/// </summary>
internal abstract class XdsResourceType<TMessage> : XdsResourceType
    where TMessage : IMessage<TMessage>
{
    /// <summary>The message's parser.</summary>
    protected abstract MessageParser<TMessage> Parser { get; }

    /// <summary>The field the name is in, for the error when it is empty.</summary>
    protected virtual string NameField => "name";

    /// <summary>The resource's name.</summary>
    protected abstract string NameOf(TMessage message);

    /// <summary>Validates a named resource, recording every problem; returns the decoded resource.</summary>
    protected abstract object? Validate(TMessage message, XdsDecodeContext context, XdsErrors errors);

    public sealed override string? ReadName(ByteString value)
    {
        try
        {
            return NameOf(Parser.ParseFrom(value));
        }
        catch (InvalidProtocolBufferException)
        {
            return null;
        }
    }

    protected sealed override XdsDecodeResult DecodeMessage(ByteString value, XdsDecodeContext context)
    {
        TMessage message;
        try
        {
            message = Parser.ParseFrom(value);
        }
        catch (InvalidProtocolBufferException ex)
        {
            return XdsDecodeResult.Invalid(null, $"the {typeof(TMessage).Name} cannot be parsed: {ex.Message}");
        }

        var name = NameOf(message);
        if (name.Length == 0)
        {
            return XdsDecodeResult.Invalid(null, $"{NameField}: is empty");
        }

        var errors = new XdsErrors();
        var resource = Validate(message, context, errors);
        return errors.IsEmpty && resource is not null ? XdsDecodeResult.Valid(name, resource) : XdsDecodeResult.Invalid(name, errors.Problems);
    }
}
