using System.Net;
using Envoy.Config.Core.V3;
using Envoy.Config.Endpoint.V3;
using Google.Protobuf;

namespace Proxyless.Xds.Resources;

/// <summary>
/// EDS (gRFC A27, A61): decodes a ClusterLoadAssignment. Each locality needs its ID; a weight of 0 leaves the locality
/// out; priorities must run from 0 without a gap; a locality appears once per priority; endpoint addresses are IP
/// literals with a port, unique across the resource; endpoint weights are above 0 and sum, per locality, to at most
/// 2^32 - 1, as locality weights do per priority. Drop overloads need a known denominator.
/// </summary>
internal sealed class EndpointsDecoder : XdsResourceType<ClusterLoadAssignment>
{
    public override string TypeUrl => XdsTypeUrls.ClusterLoadAssignment;

    public override string ShortName => "EDS";

    public override bool AllResourcesRequired => false;

    protected override MessageParser<ClusterLoadAssignment> Parser => ClusterLoadAssignment.Parser;

    protected override string NameField => "cluster_name";

    protected override string NameOf(ClusterLoadAssignment message) => message.ClusterName;

    protected override object? Validate(ClusterLoadAssignment assignment, XdsDecodeContext context, XdsErrors errors)
    {
        var drops = new List<XdsDropOverload>();
        var dropOverloads = assignment.Policy?.DropOverloads;
        for (var i = 0; i < (dropOverloads?.Count ?? 0); i++)
        {
            var drop = dropOverloads![i];
            var at = $"policy.drop_overloads[{i}]";
            if (drop.DropPercentage is null)
            {
                errors.Add(at + ".drop_percentage", "is missing");
            }
            else if (XdsProtoValues.PerMillion(drop.DropPercentage, at + ".drop_percentage", errors) is { } rate)
            {
                drops.Add(new XdsDropOverload(drop.Category, rate));
            }
        }

        var localities = new List<XdsLocality>();
        var weightPerPriority = new Dictionary<uint, ulong>();
        var seenLocalities = new HashSet<(uint, string)>();
        var seenAddresses = new HashSet<IPEndPoint>();
        for (var i = 0; i < assignment.Endpoints.Count; i++)
        {
            var locality = assignment.Endpoints[i];
            var at = $"endpoints[{i}]";
            if (locality.Locality is not { } id)
            {
                errors.Add(at + ".locality", "is missing");
                continue;
            }

            var weight = locality.LoadBalancingWeight ?? 0;
            if (weight == 0)
            {
                continue; // A27: a locality without weight is not used
            }

            var priority = locality.Priority;
            weightPerPriority[priority] = weightPerPriority.GetValueOrDefault(priority) + weight;
            if (weightPerPriority[priority] > uint.MaxValue)
            {
                errors.Add(at + ".load_balancing_weight", $"the locality weights of priority {priority} sum to more than {uint.MaxValue}");
            }

            var decoded = new XdsLocality(id.Region, id.Zone, id.SubZone, weight, priority, Endpoints(locality, at, seenAddresses, errors));
            if (!seenLocalities.Add((priority, decoded.Key)))
            {
                errors.Add(at + ".locality", $"{decoded.Key} appears twice in priority {priority}");
            }

            localities.Add(decoded);
        }

        for (uint p = 0; p < weightPerPriority.Count; p++)
        {
            if (!weightPerPriority.ContainsKey(p))
            {
                errors.Add("endpoints", $"priorities must run from 0 without gaps; {p} is missing (found {string.Join(", ", weightPerPriority.Keys.Order())})");
                break;
            }
        }

        return new XdsEndpoints(assignment.ClusterName, localities, drops);
    }

    private static List<XdsEndpoint> Endpoints(LocalityLbEndpoints locality, string path, HashSet<IPEndPoint> seen, XdsErrors errors)
    {
        var endpoints = new List<XdsEndpoint>(locality.LbEndpoints.Count);
        ulong total = 0;
        for (var i = 0; i < locality.LbEndpoints.Count; i++)
        {
            var lb = locality.LbEndpoints[i];
            var at = $"{path}.lb_endpoints[{i}]";
            var weight = lb.LoadBalancingWeight ?? 1;
            if (weight == 0)
            {
                errors.Add(at + ".load_balancing_weight", "is 0");
            }

            total += weight;
            if (total > uint.MaxValue)
            {
                errors.Add(at + ".load_balancing_weight", $"the endpoint weights of the locality sum to more than {uint.MaxValue}");
            }

            if (lb.Endpoint is not { } endpoint)
            {
                errors.Add(at + ".endpoint", "is missing");
                continue;
            }

            var addresses = new List<IPEndPoint>();
            if (Address(endpoint.Address, at + ".endpoint.address", errors) is { } first)
            {
                addresses.Add(first);
            }

            for (var j = 0; j < endpoint.AdditionalAddresses.Count; j++)
            {
                if (Address(endpoint.AdditionalAddresses[j].Address, $"{at}.endpoint.additional_addresses[{j}].address", errors) is { } more)
                {
                    addresses.Add(more);
                }
            }

            foreach (var address in addresses)
            {
                if (!seen.Add(address))
                {
                    errors.Add(at + ".endpoint", $"address {address} appears twice in the resource");
                }
            }

            endpoints.Add(new XdsEndpoint(addresses, lb.HealthStatus, weight, endpoint.Hostname));
        }

        return endpoints;
    }

    private static IPEndPoint? Address(Envoy.Config.Core.V3.Address? address, string path, XdsErrors errors)
    {
        if (address?.SocketAddress is not { } socket)
        {
            errors.Add(path + ".socket_address", "is missing");
            return null;
        }

        if (!IPAddress.TryParse(socket.Address, out var ip))
        {
            errors.Add(path + ".socket_address.address", $"\"{socket.Address}\" is not an IP address");
            return null;
        }

        if (socket.PortSpecifierCase != Envoy.Config.Core.V3.SocketAddress.PortSpecifierOneofCase.PortValue || socket.PortValue is 0 or > 65535)
        {
            errors.Add(path + ".socket_address.port_value", "must be a port from 1 to 65535");
            return null;
        }

        return new IPEndPoint(ip, (int)socket.PortValue);
    }
}
