using System.Globalization;

namespace CriO.Server.Sandbox;

/// <summary>
/// The Kubernetes quantities of the kubernetes.io/ingress-bandwidth and egress-bandwidth pod
/// annotations ("10M", "1Gi", "500k"), in bits per second, for the CNI bandwidth capability.
/// </summary>
public static class BandwidthQuantity
{
    public const string IngressAnnotation = "kubernetes.io/ingress-bandwidth";
    public const string EgressAnnotation = "kubernetes.io/egress-bandwidth";

    private static readonly (string Suffix, decimal Factor)[] Suffixes =
    [
        ("Ki", 1024m), ("Mi", 1024m * 1024), ("Gi", 1024m * 1024 * 1024), ("Ti", 1024m * 1024 * 1024 * 1024),
        ("Pi", 1024m * 1024 * 1024 * 1024 * 1024), ("Ei", 1024m * 1024 * 1024 * 1024 * 1024 * 1024),
        ("k", 1e3m), ("M", 1e6m), ("G", 1e9m), ("T", 1e12m), ("P", 1e15m), ("E", 1e18m), ("m", 1e-3m),
    ];

    /// <summary>Bits per second; throws FormatException naming the text when it is not a quantity.</summary>
    public static long Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var trimmed = text.Trim();
        var factor = 1m;
        foreach (var (suffix, value) in Suffixes)
        {
            if (trimmed.EndsWith(suffix, StringComparison.Ordinal))
            {
                trimmed = trimmed[..^suffix.Length];
                factor = value;
                break;
            }
        }

        if (!decimal.TryParse(trimmed, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number) || number <= 0)
        {
            throw new FormatException($"\"{text}\" is not a positive quantity such as 10M or 1Gi");
        }

        var bits = number * factor;
        return bits >= long.MaxValue ? long.MaxValue : (long)decimal.Ceiling(bits);
    }
}
