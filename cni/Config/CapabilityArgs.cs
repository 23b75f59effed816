using System.Buffers;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace CriO.Cni.Config;

/// <summary>
/// The runtime's values for the well-known capabilities (CNI conventions), each as the JSON a
/// plugin finds under its <c>runtimeConfig</c>. A plugin only gets those it declares; a value the
/// pod does not have is absent, so plugins keep their own defaults. Kept in the cache entry
/// (libcni's <c>capabilityArgs</c>) so that DEL undoes exactly what ADD was given.
/// </summary>
internal sealed class CapabilityArgs
{
    public const string PortMappings = "portMappings";
    public const string Bandwidth = "bandwidth";
    public const string IpRanges = "ipRanges";
    public const string Dns = "dns";

    /// <summary>
    /// A burst for a rate given without one. The bandwidth plugin shapes a direction only when both
    /// are set, so a rate alone would silently do nothing; Kubernetes' own runtimes filled in
    /// the same "no burst limit" value (int32 max bits).
    /// </summary>
    private const long UnlimitedBurst = int.MaxValue;

    private readonly SortedDictionary<string, byte[]> _values;

    private CapabilityArgs(SortedDictionary<string, byte[]> values) => _values = values;

    public static CapabilityArgs None { get; } = new(new SortedDictionary<string, byte[]>(StringComparer.Ordinal));

    /// <summary>Capability names with a value, and the value's JSON.</summary>
    public IReadOnlyDictionary<string, byte[]> Values => _values;

    public static CapabilityArgs For(PodNetworkAttachment pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var values = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);
        if (pod.PortMappings.Count > 0)
        {
            values[PortMappings] = Json(w =>
            {
                w.WriteStartArray();
                foreach (var mapping in pod.PortMappings)
                {
                    w.WriteStartObject();
                    w.WriteNumber("hostPort", mapping.HostPort);
                    w.WriteNumber("containerPort", mapping.ContainerPort);
                    w.WriteString("protocol", mapping.Protocol.ToLowerInvariant());
                    if (!string.IsNullOrEmpty(mapping.HostIp))
                    {
                        w.WriteString("hostIP", mapping.HostIp);
                    }

                    w.WriteEndObject();
                }

                w.WriteEndArray();
            });
        }

        if (pod.Bandwidth is { } b && (b.IngressRate > 0 || b.EgressRate > 0))
        {
            values[Bandwidth] = Json(w =>
            {
                w.WriteStartObject();
                if (b.IngressRate > 0)
                {
                    w.WriteNumber("ingressRate", b.IngressRate);
                    w.WriteNumber("ingressBurst", b.IngressBurst > 0 ? b.IngressBurst : UnlimitedBurst);
                }

                if (b.EgressRate > 0)
                {
                    w.WriteNumber("egressRate", b.EgressRate);
                    w.WriteNumber("egressBurst", b.EgressBurst > 0 ? b.EgressBurst : UnlimitedBurst);
                }

                w.WriteEndObject();
            });
        }

        var cidrs = pod.PodCidrs.Where(c => !string.IsNullOrWhiteSpace(c)).ToList();
        if (cidrs.Count > 0)
        {
            values[IpRanges] = Json(w =>
            {
                w.WriteStartArray();
                foreach (var cidr in cidrs)
                {
                    w.WriteStartArray();
                    w.WriteStartObject();
                    w.WriteString("subnet", cidr.Trim());
                    w.WriteEndObject();
                    w.WriteEndArray();
                }

                w.WriteEndArray();
            });
        }

        if (pod.Dns is { } dns && (dns.Servers.Count > 0 || dns.Searches.Count > 0 || dns.Options.Count > 0))
        {
            values[Dns] = Json(w =>
            {
                w.WriteStartObject();
                WriteStrings(w, "servers", dns.Servers);
                WriteStrings(w, "searches", dns.Searches);
                WriteStrings(w, "options", dns.Options);
                w.WriteEndObject();
            });
        }

        return new CapabilityArgs(values);
    }

    /// <summary>Reads a cache entry's <c>capabilityArgs</c> object (any capability names, kept as they are).</summary>
    public static CapabilityArgs From(JsonElement capabilityArgs)
    {
        var values = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);
        if (capabilityArgs.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in capabilityArgs.EnumerateObject())
            {
                values[property.Name] = JsonMarshal.GetRawUtf8Value(property.Value).ToArray();
            }
        }

        return new CapabilityArgs(values);
    }

    /// <summary>Whether a plugin declaring <paramref name="declared"/> gets any value, i.e. a <c>runtimeConfig</c>.</summary>
    public bool HasAnyFor(IReadOnlySet<string> declared) => _values.Keys.Any(declared.Contains);

    /// <summary>Writes <c>"name": value</c> for each capability in <paramref name="declared"/> that has a value.</summary>
    public void WriteFor(Utf8JsonWriter writer, IReadOnlySet<string> declared)
    {
        ArgumentNullException.ThrowIfNull(writer);
        foreach (var (name, value) in _values)
        {
            if (declared.Contains(name))
            {
                writer.WritePropertyName(name);
                writer.WriteRawValue(value, skipInputValidation: true);
            }
        }
    }

    /// <summary>Writes every value, as the properties of an open object (the cache entry's <c>capabilityArgs</c>).</summary>
    public void WriteAll(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        foreach (var (name, value) in _values)
        {
            writer.WritePropertyName(name);
            writer.WriteRawValue(value, skipInputValidation: true);
        }
    }

    private static void WriteStrings(Utf8JsonWriter writer, string name, IReadOnlyList<string> values)
    {
        if (values.Count == 0)
        {
            return;
        }

        writer.WriteStartArray(name);
        foreach (var value in values)
        {
            writer.WriteStringValue(value);
        }

        writer.WriteEndArray();
    }

    private static byte[] Json(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer);
        }

        return buffer.WrittenSpan.ToArray();
    }
}
