namespace Proxyless;

/// <summary>
/// How long one resolver result took to take effect (the scale benchmark's measure): from the resolver's delivery to the
/// policy having applied it, queueing behind other serializer work included; the serializer's own time applying it; and
/// how much of that the runtime spent paused for garbage collection (time no code of ours ran).
/// </summary>
internal readonly record struct ResolverUpdateTiming(TimeSpan SinceDelivered, TimeSpan Applying, TimeSpan GcPausedWhileApplying);
