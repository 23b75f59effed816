using System.Text.Json;
using CriO.E2E.Tests.Fixtures;
using CriO.TestImages;
using CriO.Tests.Shared;

namespace CriO.E2E.Tests.Storage;

/// <summary>
/// Several processes writing one store at the same moment, as on a node where the kubelet pulls
/// while an operator preloads with skopeo: two crio processes importing images that share
/// layers, and skopeo copying a third, three rounds. Afterwards the JSON is valid, every image's
/// layers are there, and the store check finds nothing to repair.
/// </summary>
public sealed class ConcurrentStoreWritersTests : IDisposable
{
    private const int Rounds = 3;
    private readonly CrioFolder _folder = new();

    [Fact]
    public async Task Two_crio_processes_and_skopeo_importing_at_once_leave_a_consistent_store()
    {
        var layout = new OciLayout(Path.Combine(_folder.Root, "layout"));
        layout.AddImage(BusyboxImages.Busybox(), "busybox");
        layout.AddImage(BusyboxImages.WithUser(), "app");
        layout.AddImage(BusyboxImages.Busybox() with { Layers = [.. BusyboxImages.Busybox().Layers, new TestLayer().File("etc/extra", "x")] }, "extra");
        var graph = Path.Combine(_folder.Root, "storage");
        var run = Path.Combine(_folder.Root, "runroot");

        for (var round = 0; round < Rounds; round++)
        {
            var writers = new[]
            {
                Crio("storage", "import", $"{layout.Directory}:busybox", $"localhost/busybox:{round}"),
                Crio("storage", "import", $"{layout.Directory}:app", $"localhost/app:{round}"),
                ChildProcess.RunAsync("skopeo", ["copy", "--quiet", $"oci:{layout.Directory}:extra", $"containers-storage:[overlay@{graph}+{run}]localhost/extra:{round}"], timeout: TimeSpan.FromSeconds(120)),
            };
            foreach (var (exitCode, _, errors) in await Task.WhenAll(writers))
            {
                Assert.True(exitCode == 0, errors);
            }
        }

        using var layers = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(graph, "overlay-layers", "layers.json")));
        using var images = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(graph, "overlay-images", "images.json")));
        var layerParents = layers.RootElement.EnumerateArray().ToDictionary(l => l.GetProperty("id").GetString()!, l => l.TryGetProperty("parent", out var p) ? p.GetString() : null);
        Assert.Equal(4, layerParents.Count);
        Assert.Equal(3, images.RootElement.GetArrayLength());
        foreach (var image in images.RootElement.EnumerateArray())
        {
            for (var layer = image.GetProperty("layer").GetString(); layer is not null; layer = layerParents[layer])
            {
                Assert.True(layerParents.ContainsKey(layer), $"image {image.GetProperty("id")} needs missing layer {layer}");
                Assert.True(Directory.Exists(Path.Combine(graph, "overlay", layer, "diff")));
            }
        }

        var names = images.RootElement.EnumerateArray().SelectMany(i => i.GetProperty("names").EnumerateArray().Select(n => n.GetString())).ToHashSet();
        for (var round = 0; round < Rounds; round++)
        {
            Assert.Contains($"localhost/busybox:{round}", names);
            Assert.Contains($"localhost/app:{round}", names);
            Assert.Contains($"localhost/extra:{round}", names);
        }

        var (checkExit, report, _) = await Crio("storage", "check");
        Assert.True(checkExit == 0, report);
        Assert.Contains("store is consistent", report, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        // skopeo leaves the driver home bind-mounted on itself; unmount before removing the folder.
        foreach (var mount in File.ReadAllLines("/proc/self/mountinfo").Select(l => l.Split(' ')[4]).Where(m => m.StartsWith(_folder.Root + "/", StringComparison.Ordinal)).OrderByDescending(m => m.Length))
        {
            using var umount = System.Diagnostics.Process.Start("umount", ["-l", mount]);
            umount.WaitForExit();
        }

        _folder.Dispose();
    }

    private Task<(int ExitCode, string Output, string Errors)> Crio(params string[] arguments) =>
        ChildProcess.RunAsync(RepositoryPaths.CrioBinary, [.. arguments, "--config", _folder.ConfigFile, "--config-dir", _folder.DropInDirectory], timeout: TimeSpan.FromSeconds(120));
}
