using CriO.Cri;
using CriO.Server.Errors;
using CriO.Storage.Store;
using Grpc.Core;

namespace CriO.Server.Images;

public sealed partial class ImageService
{
    // Removing an image that is not there succeeds, whatever names it (reference, ID, sha256:ID
    // or ID prefix): the CRI makes RemoveImage idempotent, and the kubelet retries it. As in
    // CRI-O, a request by name takes only that name off while the image has others (the store
    // decides, under its lock); by ID (or digest) the image goes with all its names and its
    // unused layers. Either is refused while a container uses the image.
    public override Task<RemoveImageResponse> RemoveImage(RemoveImageRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        var name = request.Image?.Image;
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new InvalidArgumentException("image.image: an image name or ID is required");
        }

        return ImageErrors.TranslateAsync(() =>
        {
            var (record, matchedName) = _resolver.FindWithName(name);
            if (matchedName is not null)
            {
                _storage.UntagImage(matchedName);
            }
            else if (record is not null)
            {
                try
                {
                    _storage.DeleteImage(record.Id);
                }
                catch (StoreNotFoundException)
                {
                    // A concurrent removal (or podman) took it between the lookup and the delete:
                    // gone is what was asked.
                }
            }

            return Task.FromResult(new RemoveImageResponse());
        });
    }
}
