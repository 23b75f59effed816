using CriO.Image.Import;
using CriO.Image.Pull;
using CriO.Image.Reference;
using CriO.Image.Registries;
using CriO.Image.Registry;
using CriO.Registry.Fixture;
using CriO.Storage.Store;

namespace CriO.Bench;

/// <summary>
/// Pulling a ~100 MB image of 5 layers of incompressible data from Debian's distribution
/// registry on loopback into a fresh store on tmpfs: our pull pipeline against skopeo copying
/// into containers-storage (CRI-O's own pull engine), runs interleaved, ours warmed once.
/// </summary>
internal static class PullBenchmark
{
    private const string Ours = "crio pull";
    private const string Skopeo = "skopeo copy docker:// to containers-storage";

    public static async Task RunAsync(int runs)
    {
        using var tmpfs = new Tmpfs("6g");
        await using var registry = await DistributionRegistry.StartAsync();
        await RegistryImages.PushLargeAsync(registry, "bench/large", "1");
        var reference = ImageReference.Parse($"{registry.Host}/bench/large:1");
        Console.WriteLine($"image: {reference}, ~100 MB in 5 layers; {runs} interleaved runs each, stores on tmpfs");
        Console.WriteLine();

        await PullOursAsync(Path.Combine(tmpfs.Root, "warm-up"), reference);
        await Measurement.ChildAsync("sh", "-c", $"rm -rf {Path.Combine(tmpfs.Root, "warm-up")}");

        var results = new Dictionary<string, List<Measurement>> { [Ours] = [], [Skopeo] = [] };
        for (var run = 0; run < runs; run++)
        {
            var target = Path.Combine(tmpfs.Root, $"run{run}");
            results[Ours].Add(await Measurement.InProcessAsync(() => PullOursAsync(Path.Combine(target, "ours"), reference)));
            var store = Path.Combine(target, "skopeo");
            results[Skopeo].Add(await Measurement.ChildAsync("skopeo", "copy", "--quiet", "--src-tls-verify=false",
                $"docker://{reference}", $"containers-storage:[overlay@{store}/graph+{store}/run]{reference}"));
            await Measurement.ChildAsync("sh", "-c", $"grep -o ' {target}[^ ]*' /proc/mounts | xargs -r -n1 umount -l; rm -rf {target}");
        }

        Report.Print("Pull: ~100 MB, 5 layers, loopback registry", Ours, results, 100L * 1024 * 1024);
    }

    private static async Task PullOursAsync(string root, ImageReference reference)
    {
        var storage = ContainerStorage.Open(Path.Combine(root, "graph"), Path.Combine(root, "run"));
        var puller = new ImagePuller(new ImageCommitter(storage));
        await puller.PullAsync([new PullSource(reference, Insecure: true, IsMirror: false)], [reference.ToString()], RegistryCredentials.Anonymous, CancellationToken.None);
    }
}
