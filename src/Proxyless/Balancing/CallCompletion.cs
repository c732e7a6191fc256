using System.Net.Http.Headers;
using Grpc.Core;

namespace Proxyless.Balancing;

/// <summary>How a call ended, as seen by a <see cref="ICallTracker"/>: at response EOF, stream disposal, or failure.</summary>
/// <param name="Status">The gRPC status: from the trailers, or <see cref="StatusCode.Cancelled"/> when the caller stopped reading,
/// or <see cref="StatusCode.Unavailable"/> when the transport failed.</param>
/// <param name="Trailers">The response trailers (or, for a trailers-only response, the headers); null when none arrived.</param>
/// <param name="Duration">Time from the pick to the end.</param>
public readonly record struct CallCompletion(Status Status, HttpHeaders? Trailers, TimeSpan Duration);
