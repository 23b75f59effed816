using CriO.Cri;
using CriO.Server.Errors;
using Grpc.Core;

namespace CriO.Server.Images;

public sealed partial class ImageService
{
    // Removing an image that is not there succeeds: the kubelet retries removals (CRI contract).
    // By one of several names, only that name goes (an untag); otherwise the image and its
    // unused layers go, refused while a container uses it.
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
            if (record is null)
            {
                return Task.FromResult(new RemoveImageResponse());
            }

            if (matchedName is not null && (record.Names?.Count ?? 0) > 1)
            {
                _storage.Images.RemoveNames(record.Id, [matchedName]);
            }
            else
            {
                _storage.DeleteImage(record.Id);
            }

            return Task.FromResult(new RemoveImageResponse());
        });
    }
}
