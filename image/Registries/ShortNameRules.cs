using CriO.Image.Reference;

namespace CriO.Image.Registries;

/// <summary>
/// What may stand on each side of an alias (containers-registries.conf(5), "Short-Name
/// Aliasing"): the name is a short name without tag or digest; the value is a repository with
/// a registry, again without tag or digest, normalised as docker does (docker.io/alpine means
/// docker.io/library/alpine). Tags and digests are the user's, added at resolution time.
/// </summary>
internal static class ShortNameRules
{
    public static string? AliasNameError(string name)
    {
        RawReference raw;
        try
        {
            raw = ReferenceParser.ParseRaw(name);
        }
        catch (ReferenceFormatException e)
        {
            return $"\"{name}\" is not a short name: {e.Reason}";
        }

        return raw.Digest is not null ? "an alias name must not contain a digest"
            : raw.Tag is not null ? "an alias name must not contain a tag"
            : raw.HasRegistry ? "an alias name is a short name, without a registry"
            : null;
    }

    /// <summary>The normalised repository, or the reason <paramref name="value"/> cannot be an alias target.</summary>
    public static (string? Repository, string? Error) NormalizeAliasValue(string value)
    {
        try
        {
            var raw = ReferenceParser.ParseRaw(value);
            if (raw.Digest is not null)
            {
                return (null, $"the alias value \"{value}\" must not contain a digest");
            }

            if (raw.Tag is not null)
            {
                return (null, $"the alias value \"{value}\" must not contain a tag");
            }

            return raw.HasRegistry
                ? (ReferenceParser.Normalize(value, raw).FullName, null)
                : (null, $"the alias value \"{value}\" must name a registry and a repository, e.g. \"registry.example.com/namespace/image\"");
        }
        catch (ReferenceFormatException e)
        {
            return (null, $"the alias value \"{value}\" is not a repository: {e.Reason}");
        }
    }
}
