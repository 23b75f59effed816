using CriO.Image.Policy;
using CriO.Image.Reference;
using CriO.Image.Registries;
using CriO.Image.Registry;
using CriO.Storage.Metadata;

namespace CriO.Image.Pull;

/// <summary>
/// A pull as the CRI asks for it, by the name in a pod spec: short names resolved through
/// registries.conf (an alias, or each unqualified-search registry in order), each candidate
/// checked against the signature policy and pulled from its sources (mirrors first, blocked
/// registries refused), with the request's credentials or else the auth file's. The first
/// candidate that exists wins; the image is named by that candidate's full reference.
/// </summary>
public sealed class ImagePullCoordinator(ImagePuller puller, Func<RegistriesConfig> registries, Func<SignaturePolicy> policy, Func<string> authFile)
{
    public async Task<ImageRecord> PullAsync(string name, RegistryCredentials? credentials, CancellationToken cancellationToken)
    {
        try
        {
            var image = await PullCandidatesAsync(name, credentials, cancellationToken).ConfigureAwait(false);
            PullMetrics.PullSucceeded();
            return image;
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            PullMetrics.PullFailed(e);
            throw;
        }
    }

    private async Task<ImageRecord> PullCandidatesAsync(string name, RegistryCredentials? credentials, CancellationToken cancellationToken)
    {
        var resolution = registries().ResolveShortName(name);
        var failures = new List<string>();
        PullFailedException? last = null;
        foreach (var candidate in resolution.Candidates)
        {
            var reference = candidate.Tag is null && candidate.Digest is null ? candidate.WithTag(ImageReference.DefaultTag) : candidate;
            policy().Evaluate(reference);
            var sources = registries().PullSources(reference);
            var useCredentials = credentials ?? AuthFile.Find(authFile(), reference) ?? RegistryCredentials.Anonymous;
            try
            {
                return await puller.PullAsync(sources, [reference.ToString()], useCredentials, cancellationToken).ConfigureAwait(false);
            }
            catch (PullFailedException e) when (e.NotFound && resolution.Candidates.Count > 1)
            {
                // A short name not found in one search registry may be in the next.
                failures.Add(e.Message);
                last = e;
            }
        }

        throw new PullFailedException($"{resolution.Description}: {string.Join("; ", failures)}", notFound: true, last);
    }
}
