using CriO.Cri;
using CriO.E2E.Tests.Fixtures;
using CriO.Registry.Fixture;

namespace CriO.E2E.Tests.Images;

/// <summary>
/// A daemon with a registry beside it: the folder, the registries.conf that names the
/// registry, and helpers that call the ImageService. Disposing stops both and removes the store.
/// </summary>
internal sealed class RegistryPullFixture : IAsyncDisposable
{
    private RegistryPullFixture(CrioFolder folder, CrioProcess crio)
    {
        Folder = folder;
        Crio = crio;
        Images = new ImageService.ImageServiceClient(crio.Channel);
    }

    public CrioFolder Folder { get; }

    public CrioProcess Crio { get; }

    public ImageService.ImageServiceClient Images { get; }

    /// <summary>Starts crio with <paramref name="registriesConf"/> (and optional crio.conf lines, and env).</summary>
    public static async Task<RegistryPullFixture> StartAsync(string registriesConf, string crioConfExtra = "", Action<CrioFolder>? prepare = null)
    {
        var folder = new CrioFolder();
        try
        {
            folder.WriteConfig("info", crioConfExtra);
            folder.WriteRegistriesConf(registriesConf);
            prepare?.Invoke(folder);
            var crio = await CrioProcess.StartAsync(folder);
            return new RegistryPullFixture(folder, crio);
        }
        catch
        {
            folder.Dispose();
            throw;
        }
    }

    /// <summary>registries.conf text making a plain-HTTP registry usable (insecure) and searched for short names.</summary>
    public static string InsecureSearch(DistributionRegistry registry) => $"""
        unqualified-search-registries = ["{registry.Host}"]
        [[registry]]
        location = "{registry.Host}"
        insecure = true
        """;

    public async Task<string> PullAsync(string image, AuthConfig? auth = null) =>
        (await Images.PullImageAsync(new PullImageRequest { Image = new ImageSpec { Image = image }, Auth = auth })).ImageRef;

    public async Task<CriO.Cri.Image?> StatusAsync(string image) =>
        (await Images.ImageStatusAsync(new ImageStatusRequest { Image = new ImageSpec { Image = image } })).Image;

    /// <summary>Layer records and staging folders in the daemon's store: what a failed pull must not leave.</summary>
    public (int Layers, int Staging) Leftovers()
    {
        var graph = Path.Combine(Folder.Root, "storage");
        var layersJson = Path.Combine(graph, "overlay-layers", "layers.json");
        var layers = File.Exists(layersJson) ? System.Text.Json.JsonDocument.Parse(File.ReadAllText(layersJson)).RootElement.GetArrayLength() : 0;
        var staging = Path.Combine(graph, "overlay", "crio-staging");
        return (layers, Directory.Exists(staging) ? Directory.GetFileSystemEntries(staging).Length : 0);
    }

    public async ValueTask DisposeAsync()
    {
        await Crio.DisposeAsync();
        Folder.Dispose();
    }
}
