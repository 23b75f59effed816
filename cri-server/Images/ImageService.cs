using CriO.Image.Pull;
using CriO.Server.Daemon;
using CriO.Storage.Store;

namespace CriO.Server.Images;

/// <summary>
/// The CRI ImageService: one partial file per RPC (ImageService.NAME.cs), each a thin handler
/// over the store and the image library. RPCs without a file here answer UNIMPLEMENTED.
/// </summary>
public sealed partial class ImageService(
    ContainerStorage storage, FilesystemUsageCache usage, ImageViews views, ImageResolver resolver, ImagePullCoordinator pulls, DaemonState daemon)
    : CriO.Cri.ImageService.ImageServiceBase
{
    private readonly ContainerStorage _storage = storage;
    private readonly FilesystemUsageCache _usage = usage;
    private readonly ImageViews _views = views;
    private readonly ImageResolver _resolver = resolver;
    private readonly ImagePullCoordinator _pulls = pulls;
    private readonly DaemonState _daemon = daemon;

    /// <summary>The pause image and pinned_images stay out of the kubelet's image garbage collection.</summary>
    private IReadOnlyList<string> PinnedPatterns => [.. _daemon.Config.Image.PinnedImages, _daemon.Config.Image.PauseImage];
}
