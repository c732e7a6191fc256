using Google.Protobuf;

namespace Proxyless.Etcd;

/// <summary>The key layout: <c>/services/&lt;namespace&gt;/&lt;name&gt;/&lt;version&gt;/&lt;instance-id&gt;</c>.</summary>
internal static class EtcdKeys
{
    public static string ServicePrefix(string ns, string name) => $"/services/{ns}/{name}/";

    public static string InstanceKey(string ns, Discovery.ServiceInstance instance)
        => $"{ServicePrefix(ns, instance.Name)}{(instance.Version.Length == 0 ? "_" : instance.Version)}/{instance.Id}";

    /// <summary>The end of a prefix range: the prefix with its last byte incremented.</summary>
    public static ByteString RangeEnd(string prefix)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(prefix);
        for (var i = bytes.Length - 1; i >= 0; i--)
        {
            if (bytes[i] < 0xFF)
            {
                bytes[i]++;
                return ByteString.CopyFrom(bytes, 0, i + 1);
            }
        }

        return ByteString.CopyFrom([0]);
    }
}
