namespace CriO.Server.Images;

/// <summary>
/// The CRI ImageService: one partial file per RPC (ImageService.NAME.cs). RPCs without a file
/// here answer UNIMPLEMENTED with their name.
/// </summary>
public sealed partial class ImageService : CriO.Cri.ImageService.ImageServiceBase;
