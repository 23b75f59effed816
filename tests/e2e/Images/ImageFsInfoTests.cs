using CriO.Cri;
using CriO.E2E.Tests.Fixtures;
using CriO.TestImages;
using CriO.Tests.Shared;

namespace CriO.E2E.Tests.Images;

public class ImageFsInfoTests
{
    [Fact]
    public async Task Reports_the_stores_image_and_container_file_systems_with_their_usage()
    {
        using var folder = new CrioFolder();
        var layout = new OciLayout(Path.Combine(folder.Root, "layout"));
        layout.AddImage(BusyboxImages.Busybox(), "busybox");
        await using var crio = await CrioProcess.StartAsync(folder);
        var (exitCode, _, errors) = await ChildProcess.RunAsync(RepositoryPaths.CrioBinary,
            ["storage", "import", $"{layout.Directory}:busybox", "docker.io/library/busybox:latest", .. folder.DaemonArguments()]);
        Assert.True(exitCode == 0, errors);
        var images = new ImageService.ImageServiceClient(crio.Channel);

        var info = await images.ImageFsInfoAsync(new ImageFsInfoRequest());

        var image = Assert.Single(info.ImageFilesystems);
        Assert.Equal(Path.Combine(folder.Root, "storage", "overlay-images"), image.FsId.Mountpoint);
        Assert.True(image.UsedBytes.Value >= (ulong)new FileInfo(BusyboxImages.BusyboxPath).Length, $"image fs used {image.UsedBytes.Value} bytes");
        Assert.True(image.InodesUsed.Value > 40, $"image fs used {image.InodesUsed.Value} inodes");
        Assert.InRange(image.Timestamp, DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeMilliseconds() * 1_000_000, DateTimeOffset.UtcNow.AddMinutes(1).ToUnixTimeMilliseconds() * 1_000_000);
        var containers = Assert.Single(info.ContainerFilesystems);
        Assert.Equal(Path.Combine(folder.Root, "storage", "overlay-containers"), containers.FsId.Mountpoint);
        Assert.Equal(0UL, containers.UsedBytes.Value);
    }
}
