using CriO.Storage.Archive;
using CriO.TestImages;

namespace CriO.Bench;

/// <summary>
/// Applying a ~100 MB gzip layer of many small files: our layer applier (with its tar-split
/// record, as the store does it) against `tar -xzf` into a plain folder and against skopeo
/// copying the same layer into containers-storage (CRI-O's own engine), all on one tmpfs,
/// runs interleaved so that drift in the machine hits every contender alike.
/// </summary>
internal static class LayerApplyBenchmark
{
    private const string Ours = "crio LayerApplier";

    public static async Task RunAsync(int runs, long layerBytes)
    {
        using var tmpfs = new Tmpfs("4g");
        var layerFile = Path.Combine(tmpfs.Root, "layer.tar.gz");
        var (files, tarBytes, diffId) = SmallFilesLayer.Write(layerFile, layerBytes);
        var layout = new OciLayout(Path.Combine(tmpfs.Root, "layout"));
        var blob = layout.AddBlobFile(layerFile, TestLayer.Digest(File.ReadAllBytes(layerFile)), OciMediaTypes.LayerGzip);
        layout.AddImage(new TestImage { Layers = [] }, [(blob, diffId)], "bench");
        var blobPath = Path.Combine(layout.Directory, "blobs", "sha256", blob.Digest["sha256:".Length..]);
        Console.WriteLine($"layer: {files} files, {tarBytes / 1e6:F1} MB tar, {blob.Size / 1e6:F1} MB gzip; {runs} interleaved runs each, on tmpfs");
        Console.WriteLine();

        // One untimed run of ours first: the daemon is long-running (and NativeAOT when shipped),
        // so a JIT's first-call compilation is not what a node pays per layer.
        var warmUp = Directory.CreateDirectory(Path.Combine(tmpfs.Root, "warm-up", "diff")).FullName;
        await using (var layer = File.OpenRead(blobPath))
        {
            await LayerApplier.ApplyAsync(layer, warmUp, Stream.Null, new LayerApplyOptions(), CancellationToken.None);
        }

        Directory.Delete(Path.GetDirectoryName(warmUp)!, recursive: true);

        var results = new Dictionary<string, List<Measurement>> { [Ours] = [], ["tar -xzf"] = [], ["skopeo copy to containers-storage"] = [] };
        for (var run = 0; run < runs; run++)
        {
            var target = Path.Combine(tmpfs.Root, $"run{run}");
            Directory.CreateDirectory(target);

            results[Ours].Add(await Measurement.InProcessAsync(async () =>
            {
                var diff = Directory.CreateDirectory(Path.Combine(target, "ours", "diff")).FullName;
                await using var layer = File.OpenRead(blobPath);
                await using var tarSplit = File.Create(Path.Combine(target, "ours", "tar-split.gz"));
                await LayerApplier.ApplyAsync(layer, diff, tarSplit, new LayerApplyOptions(), CancellationToken.None);
            }));

            var tarTarget = Directory.CreateDirectory(Path.Combine(target, "tar")).FullName;
            results["tar -xzf"].Add(await Measurement.ChildAsync("tar", "-xzf", blobPath, "-C", tarTarget));

            var store = Path.Combine(target, "skopeo");
            results["skopeo copy to containers-storage"].Add(await Measurement.ChildAsync(
                "skopeo", "copy", "--quiet", $"oci:{layout.Directory}:bench", $"containers-storage:[overlay@{store}/graph+{store}/run]localhost/bench:latest"));

            // Not timed: clearing the run's copies, skopeo's mounts included.
            await Measurement.ChildAsync("sh", "-c", $"grep -o ' {target}[^ ]*' /proc/mounts | xargs -r -n1 umount -l; rm -rf {target}");
        }

        Report.Print("Layer apply: ~100 MB gzip layer of small files", Ours, results, tarBytes);
    }
}
