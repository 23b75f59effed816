using CriO.Cri;
using CriO.Image.Registry;
using CriO.Server.Errors;
using Grpc.Core;

namespace CriO.Server.Images;

public sealed partial class ImageService
{
    public override Task<PullImageResponse> PullImage(PullImageRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        var name = request.Image?.Image;
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new InvalidArgumentException("image.image: an image name is required");
        }

        var credentials = Credentials(request.Auth);
        return ImageErrors.TranslateAsync(async () =>
        {
            var image = await _pulls.PullAsync(name, credentials, context.CancellationToken).ConfigureAwait(false);

            // CRI-O answers with the image ID, which ImageStatus and CreateContainer accept back.
            return new PullImageResponse { ImageRef = image.Id };
        });
    }

    private static RegistryCredentials? Credentials(AuthConfig? auth)
    {
        if (auth is null)
        {
            return null;
        }

        if (!string.IsNullOrEmpty(auth.RegistryToken))
        {
            return new RegistryCredentials(RegistryToken: auth.RegistryToken);
        }

        if (!string.IsNullOrEmpty(auth.IdentityToken))
        {
            return new RegistryCredentials(Username: auth.Username, IdentityToken: auth.IdentityToken);
        }

        if (!string.IsNullOrEmpty(auth.Username))
        {
            return new RegistryCredentials(auth.Username, auth.Password);
        }

        if (!string.IsNullOrEmpty(auth.Auth))
        {
            try
            {
                return RegistryCredentials.FromAuth(auth.Auth);
            }
            catch (ArgumentException e)
            {
                throw new InvalidArgumentException($"auth.auth: {e.Message}", e);
            }
        }

        return null;
    }
}
