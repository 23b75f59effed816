using CriO.Image.Reference;

namespace CriO.Image.Policy;

/// <summary>
/// The <c>docker</c> transport's scopes for an image, most specific first
/// (containers-policy.json(5); containers/image's policyconfiguration): the image itself, its
/// repository, each parent namespace, the registry host[:port], then "*.suffix" wildcards of
/// the host name (without port). Scopes are fully expanded names: "busybox" is looked up as
/// docker.io/library/busybox, never as "busybox".
/// </summary>
internal static class DockerPolicyScopes
{
    /// <summary>The image itself: name@digest when pulled by digest (the tag then means nothing), else name:tag.</summary>
    public static string Identity(ImageReference reference) =>
        reference.Digest is not null ? $"{reference.FullName}@{reference.Digest}" : $"{reference.FullName}:{reference.Tag}";

    public static IEnumerable<string> Namespaces(ImageReference reference)
    {
        var name = reference.FullName;
        while (true)
        {
            yield return name;
            var slash = name.LastIndexOf('/');
            if (slash < 0)
            {
                break;
            }

            name = name[..slash];
        }

        // A wildcard matches host names; an IPv6 literal has no subdomains.
        if (name.StartsWith('['))
        {
            yield break;
        }

        var colon = name.IndexOf(':', StringComparison.Ordinal);
        var host = colon < 0 ? name : name[..colon];
        for (var dot = host.IndexOf('.', StringComparison.Ordinal); dot >= 0; dot = host.IndexOf('.', StringComparison.Ordinal))
        {
            host = host[(dot + 1)..];
            yield return "*." + host;
        }
    }
}
