using CriO.Cri;

namespace CriO.Server.Play;

/// <summary>
/// Each image of a manifest made present per its container's imagePullPolicy (ImageStatus,
/// then PullImage when the policy asks), and runAsNonRoot checked against the image's user,
/// before the pod is made.
/// </summary>
public sealed class PodImages(ImageService.ImageServiceClient images, TextWriter output)
{
    /// <summary>Image name in the manifest to the image (as ImageStatus reports it) to create containers from.</summary>
    public async Task<IReadOnlyDictionary<string, CriO.Cri.Image>> EnsureAsync(PodManifest manifest, CancellationToken cancellationToken)
    {
        var refs = new Dictionary<string, CriO.Cri.Image>(StringComparer.Ordinal);
        foreach (var container in manifest.AllContainers)
        {
            var policy = ImagePullPolicy.Effective(container.ImagePullPolicy, container.Image);
            var spec = new ImageSpec { Image = container.Image };
            var present = (await images.ImageStatusAsync(new ImageStatusRequest { Image = spec }, cancellationToken: cancellationToken)).Image;
            var pull = ImagePullPolicy.ShouldPull(policy, present is not null)
                ?? throw new ManifestException($"container \"{container.Name}\": image {container.Image} is not present and imagePullPolicy is Never");
            if (pull && !refs.ContainsKey(container.Image))
            {
                await output.WriteLineAsync($"pulling {container.Image} (imagePullPolicy {policy})").ConfigureAwait(false);
                await images.PullImageAsync(new PullImageRequest { Image = spec }, cancellationToken: cancellationToken);
                present = (await images.ImageStatusAsync(new ImageStatusRequest { Image = spec }, cancellationToken: cancellationToken)).Image;
            }

            var image = present ?? throw new ManifestException($"container \"{container.Name}\": image {container.Image} is not in the store after its pull");
            SecurityContexts.VerifyNonRoot(manifest.Pod.Spec, container, SecurityContexts.ImageUid(image));
            refs[container.Image] = image;
        }

        return refs;
    }
}
