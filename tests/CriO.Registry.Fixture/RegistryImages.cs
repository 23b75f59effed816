using CriO.TestImages;

namespace CriO.Registry.Fixture;

/// <summary>
/// Pushes test images into a <see cref="DistributionRegistry"/> with Debian's skopeo (an
/// independent client, so the registry holds what a real push leaves):
/// <c>skopeo copy --preserve-digests oci:LAYOUT:REF docker://HOST/REPO:TAG</c>, with the
/// registry's TLS and credential flags. Each returns the digest of what was pushed (the
/// manifest, or the index for a multi-arch push), equal to the digest in the OCI layout.
/// </summary>
public static class RegistryImages
{
    private static readonly TimeSpan PushTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan LargePushTimeout = TimeSpan.FromMinutes(5);

    /// <summary>Pushes <paramref name="image"/> as REPOSITORY:TAG; returns the manifest digest.</summary>
    public static async Task<string> PushAsync(DistributionRegistry registry, TestImage image, string repository, string tag, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(image);
        var directory = Directory.CreateTempSubdirectory("crio-push-").FullName;
        try
        {
            new OciLayout(directory).AddImage(image, "image");
            return await PushLayoutAsync(registry, directory, "image", repository, tag, all: false, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            TempDirectory.Delete(directory);
        }
    }

    /// <summary>Pushes busybox whose config runs as <paramref name="user"/> (a user of its /etc/passwd).</summary>
    public static Task<string> PushWithUserAsync(DistributionRegistry registry, string repository, string tag, string user = "app", CancellationToken cancellationToken = default) =>
        PushAsync(registry, BusyboxImages.WithUser(user), repository, tag, cancellationToken);

    /// <summary>
    /// Pushes a multi-platform image: each of <paramref name="platforms"/> (e.g. busybox with
    /// Architecture amd64, arm64 and Variant v8) as a manifest, under one OCI index tagged
    /// <paramref name="tag"/> (<c>skopeo copy --all</c>). Returns the index digest.
    /// </summary>
    public static async Task<string> PushMultiArchAsync(DistributionRegistry registry, IReadOnlyList<TestImage> platforms, string repository, string tag, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(platforms);
        var directory = Directory.CreateTempSubdirectory("crio-push-").FullName;
        try
        {
            var layout = new OciLayout(directory);
            layout.AddIndex(platforms.Select(p => (layout.AddImage(p, refName: null), p)).ToList(), "index");
            return await PushLayoutAsync(registry, directory, "index", repository, tag, all: true, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            TempDirectory.Delete(directory);
        }
    }

    /// <summary>Busybox for linux/amd64 and linux/arm64/v8 (the same bytes, two platform entries): the usual multi-arch test image.</summary>
    public static IReadOnlyList<TestImage> BusyboxPlatforms() =>
    [
        BusyboxImages.Busybox(),
        BusyboxImages.Busybox() with { Architecture = "arm64", Variant = "v8" },
    ];

    /// <summary>
    /// Pushes the pull benchmark's image (<see cref="LargeImage"/>: ~100 MB of random data in 5
    /// layers), generating it in a temporary layout that is removed afterwards.
    /// </summary>
    public static async Task<string> PushLargeAsync(DistributionRegistry registry, string repository, string tag,
        long totalBytes = LargeImage.DefaultTotalBytes, int layerCount = LargeImage.DefaultLayerCount, CancellationToken cancellationToken = default)
    {
        var directory = Directory.CreateTempSubdirectory("crio-push-large-").FullName;
        try
        {
            LargeImage.AddTo(new OciLayout(directory), "large", totalBytes, layerCount);
            return await PushLayoutAsync(registry, directory, "large", repository, tag, all: false, LargePushTimeout, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            TempDirectory.Delete(directory);
        }
    }

    /// <summary>
    /// Pushes the image or index named <paramref name="refName"/> in an OCI layout (all of an
    /// index's manifests when <paramref name="all"/>); returns the pushed digest.
    /// </summary>
    public static async Task<string> PushLayoutAsync(DistributionRegistry registry, string layoutDirectory, string refName, string repository, string tag,
        bool all = false, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registry);
        cancellationToken.ThrowIfCancellationRequested();
        var digestFile = Path.Combine(Path.GetTempPath(), $"crio-push-{Guid.NewGuid():N}.digest");
        List<string> arguments = ["--insecure-policy", "copy", "--preserve-digests", "--digestfile", digestFile];
        if (all)
        {
            arguments.Add("--all");
        }

        arguments.AddRange(registry.SkopeoOptions("dest-"));
        arguments.Add($"oci:{layoutDirectory}:{refName}");
        arguments.Add($"docker://{registry.Host}/{repository}:{tag}");
        try
        {
            await Tool.RunAsync("skopeo", arguments, timeout ?? PushTimeout).ConfigureAwait(false);
            return (await File.ReadAllTextAsync(digestFile, cancellationToken).ConfigureAwait(false)).Trim();
        }
        finally
        {
            File.Delete(digestFile);
        }
    }
}
