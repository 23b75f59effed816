using System.Runtime.InteropServices;

namespace CriO.Image.Oci;

/// <summary>Picks the manifest of an index that runs on this node (OS linux, its architecture and variant).</summary>
public static class PlatformMatcher
{
    public static string Architecture { get; } = RuntimeInformation.OSArchitecture switch
    {
        System.Runtime.InteropServices.Architecture.X64 => "amd64",
        System.Runtime.InteropServices.Architecture.Arm64 => "arm64",
        System.Runtime.InteropServices.Architecture.Arm => "arm",
        System.Runtime.InteropServices.Architecture.X86 => "386",
        System.Runtime.InteropServices.Architecture.S390x => "s390x",
        System.Runtime.InteropServices.Architecture.Ppc64le => "ppc64le",
        var other => other.ToString().ToLowerInvariant(),
    };

    /// <summary>arm64 images are v8 when they say a variant; 32-bit arm would need /proc/cpuinfo.</summary>
    public static string? Variant { get; } = Architecture == "arm64" ? "v8" : null;

    public static OciDescriptor? Choose(IReadOnlyList<OciDescriptor> manifests)
    {
        ArgumentNullException.ThrowIfNull(manifests);
        var candidates = manifests.Where(m => m.Platform is { Os: "linux" } p && p.Architecture == Architecture).ToList();
        return candidates.FirstOrDefault(m => m.Platform!.Variant == Variant)
            ?? candidates.FirstOrDefault(m => string.IsNullOrEmpty(m.Platform!.Variant))
            ?? candidates.FirstOrDefault();
    }

    public static string Describe() => Variant is null ? $"linux/{Architecture}" : $"linux/{Architecture}/{Variant}";
}
