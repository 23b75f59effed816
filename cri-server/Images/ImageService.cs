using CriO.Storage.Store;

namespace CriO.Server.Images;

/// <summary>
/// The CRI ImageService: one partial file per RPC (ImageService.NAME.cs), each a thin handler
/// over the store and the image library. RPCs without a file here answer UNIMPLEMENTED.
/// </summary>
public sealed partial class ImageService(ContainerStorage storage, FilesystemUsageCache usage, TimeProvider time) : CriO.Cri.ImageService.ImageServiceBase
{
    private readonly ContainerStorage _storage = storage;
    private readonly FilesystemUsageCache _usage = usage;
    private readonly TimeProvider _time = time;
}
