using CriO.Cri;
using Grpc.Core;

namespace CriO.Server.Images;

public sealed partial class ImageService
{
    public override async Task<ImageFsInfoResponse> ImageFsInfo(ImageFsInfoRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var usage = await _usage.GetAsync(context.CancellationToken).ConfigureAwait(false);
        var timestamp = usage.Taken.ToUnixTimeMilliseconds() * 1_000_000;
        return new ImageFsInfoResponse
        {
            ImageFilesystems =
            {
                new FilesystemUsage
                {
                    Timestamp = timestamp,
                    FsId = new FilesystemIdentifier { Mountpoint = Path.Combine(_storage.Directories.GraphRoot, "overlay-images") },
                    UsedBytes = new UInt64Value { Value = (ulong)usage.ImageBytes },
                    InodesUsed = new UInt64Value { Value = (ulong)usage.ImageInodes },
                },
            },
            ContainerFilesystems =
            {
                new FilesystemUsage
                {
                    Timestamp = timestamp,
                    FsId = new FilesystemIdentifier { Mountpoint = Path.Combine(_storage.Directories.GraphRoot, "overlay-containers") },
                    UsedBytes = new UInt64Value { Value = (ulong)usage.ContainerBytes },
                    InodesUsed = new UInt64Value { Value = (ulong)usage.ContainerInodes },
                },
            },
        };
    }
}
