using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

namespace CriO.Cni.Results;

/// <summary>
/// Reads a CNI result. 0.3.0, 0.3.1 and 0.4.0 results and 1.0.0 ones share one shape
/// (<c>interfaces</c>, <c>ips</c>, <c>routes</c>, <c>dns</c>; 1.0.0 dropped <c>ips[].version</c>,
/// which the address itself tells anyway); a 0.1/0.2 result's <c>ip4</c>/<c>ip6</c> objects are
/// read too, since old plugins still answer with them. Unknown fields are ignored, so later
/// minor versions parse as well.
/// </summary>
internal static class ResultParser
{
    /// <exception cref="InvalidDataException">Not a result: not a JSON object, or an address that does not parse.</exception>
    public static PodNetworkStatus Parse(string networkName, ReadOnlySpan<byte> json)
    {
        JsonDocument document;
        try
        {
            var reader = new Utf8JsonReader(json);
            document = JsonDocument.ParseValue(ref reader);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"result is not JSON: {e.Message}", e);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidDataException("result is not a JSON object");
            }

            var ips = new List<CniIpConfig>();
            var routes = new List<CniRoute>();
            foreach (var ip in Array(root, "ips"))
            {
                ips.Add(Address(String(ip, "address"), String(ip, "gateway"), Int(ip, "interface")));
            }

            foreach (var legacy in new[] { "ip4", "ip6" })
            {
                if (root.TryGetProperty(legacy, out var old) && old.ValueKind == JsonValueKind.Object)
                {
                    ips.Add(Address(String(old, "ip"), String(old, "gateway"), null));
                    routes.AddRange(Array(old, "routes").Select(Route).OfType<CniRoute>());
                }
            }

            var interfaces = Array(root, "interfaces")
                .Where(i => i.ValueKind == JsonValueKind.Object)
                .Select(i => new CniInterface(String(i, "name") ?? "", String(i, "mac"), NullIfEmpty(String(i, "sandbox"))))
                .ToList();
            routes.AddRange(Array(root, "routes").Select(Route).OfType<CniRoute>());
            var dns = root.TryGetProperty("dns", out var d) && d.ValueKind == JsonValueKind.Object ? Dns(d) : null;
            return new PodNetworkStatus(networkName, ips, interfaces, routes, dns, Encoding.UTF8.GetString(json));
        }
    }

    private static CniIpConfig Address(string? cidr, string? gateway, int? interfaceIndex)
    {
        if (cidr is null || !TryParseHostCidr(cidr, out var ip, out var prefix))
        {
            throw new InvalidDataException($"result has an invalid address \"{cidr}\"");
        }

        if (!string.IsNullOrEmpty(gateway) && !IPAddress.TryParse(gateway, out _))
        {
            throw new InvalidDataException($"result has an invalid gateway \"{gateway}\"");
        }

        return new CniIpConfig(cidr, ip, prefix, NullIfEmpty(gateway), interfaceIndex);
    }

    /// <summary>Parses "10.88.0.5/16": an address with its prefix length, host bits set, which IPNetwork refuses.</summary>
    private static bool TryParseHostCidr(string cidr, [NotNullWhen(true)] out IPAddress? ip, out int prefix)
    {
        prefix = 0;
        var slash = cidr.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0
            || !IPAddress.TryParse(cidr.AsSpan(0, slash), out ip)
            || !int.TryParse(cidr.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out prefix))
        {
            ip = null;
            return false;
        }

        var max = ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128;
        return prefix <= max;
    }

    private static CniRoute? Route(JsonElement route) =>
        String(route, "dst") is { Length: > 0 } dst ? new CniRoute(dst, NullIfEmpty(String(route, "gw"))) : null;

    /// <summary>The result's dns; null when it says nothing (0.4.0 plugins print <c>"dns": {}</c>).</summary>
    private static CniDnsResult? Dns(JsonElement dns)
    {
        var result = new CniDnsResult(Strings(dns, "nameservers"), NullIfEmpty(String(dns, "domain")), Strings(dns, "search"), Strings(dns, "options"));
        return result is { Nameservers.Count: 0, Domain: null, Search.Count: 0, Options.Count: 0 } ? null : result;
    }

    private static List<string> Strings(JsonElement element, string name) =>
        Array(element, name).Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!).ToList();

    private static IEnumerable<JsonElement> Array(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Array
            ? value.EnumerateArray()
            : [];

    private static string? String(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static int? Int(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number) ? number : null;

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
