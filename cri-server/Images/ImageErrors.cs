using CriO.Image.Policy;
using CriO.Image.Pull;
using CriO.Image.Reference;
using CriO.Image.Registries;
using CriO.Image.Registry;
using CriO.Server.Errors;
using CriO.Storage.Store;

namespace CriO.Server.Images;

/// <summary>The image library's exceptions in CRI terms: one mapping, used by every ImageService handler.</summary>
internal static class ImageErrors
{
    public static async Task<T> TranslateAsync<T>(Func<Task<T>> work)
    {
        try
        {
            return await work().ConfigureAwait(false);
        }
        catch (Exception e) when (Translate(e) is { } translated)
        {
            throw translated;
        }
    }

    public static Exception? Translate(Exception error) => error switch
    {
        ReferenceFormatException e => new InvalidArgumentException($"image: {e.Message}", e),
        PolicyRejectedException e => new FailedPreconditionException(e.Message, e),
        BlockedRegistryException e => new FailedPreconditionException(e.Message, e),
        ShortNameResolutionException e => new InvalidArgumentException(e.Message, e),
        PullFailedException { NotFound: true } e => new NotFoundException(e.Message, e),
        PullFailedException e => new UnavailableException(e.Message, e),
        StoreConflictException e => new FailedPreconditionException(e.Message, e),
        StoreNotFoundException e => new NotFoundException(e.Message, e),
        RegistryException e => new UnavailableException(e.Message, e),
        _ => null,
    };
}
