using CriO.Cri;
using Grpc.Core;

namespace CriO.Server.Images;

public sealed partial class ImageService
{
    public override Task<ListImagesResponse> ListImages(ListImagesRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        return ImageErrors.TranslateAsync(() =>
        {
            var response = new ListImagesResponse();
            var pinned = PinnedPatterns;
            if (request.Filter?.Image?.Image is { Length: > 0 } name)
            {
                // A filter that is no image reference at all is refused, as ImageStatus refuses it.
                if (_resolver.Find(name) is { } image)
                {
                    response.Images.Add(_views.ToCri(image, pinned));
                }

                return Task.FromResult(response);
            }

            foreach (var image in _storage.Images.List())
            {
                response.Images.Add(_views.ToCri(image, pinned));
            }

            return Task.FromResult(response);
        });
    }
}
