using CriO.Cri;
using CriO.Server.Errors;
using Grpc.Core;

namespace CriO.Server.Images;

public sealed partial class ImageService
{
    // An image that is not there is no error for ImageStatus: the CRI says to answer without one.
    public override Task<ImageStatusResponse> ImageStatus(ImageStatusRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        var name = request.Image?.Image;
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new InvalidArgumentException("image.image: an image name or ID is required");
        }

        return ImageErrors.TranslateAsync(() =>
        {
            var response = new ImageStatusResponse();
            if (_resolver.Find(name) is not { } record)
            {
                return Task.FromResult(response);
            }

            response.Image = _views.ToCri(record, PinnedPatterns);
            if (request.Verbose && _views.ConfigJson(record) is { } config)
            {
                response.Info["info"] = JsonText.Object(("imageId", record.Id), ("digest", record.Digest ?? ""));
                response.Info["config"] = config;
            }

            return Task.FromResult(response);
        });
    }
}
