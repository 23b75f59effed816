using CriO.Image.Reference;

namespace CriO.Image.Registries;

/// <summary>A pull refused because registries.conf marks the matching <c>[[registry]]</c> as <c>blocked</c>.</summary>
public sealed class BlockedRegistryException : Exception
{
    public BlockedRegistryException(ImageReference reference, RegistryEntry registry)
        : base(Describe(reference, registry))
    {
        Reference = reference;
        Registry = registry;
    }

    /// <summary>The reference that was refused (the user's name, or the location it was rewritten to).</summary>
    public ImageReference Reference { get; }

    public RegistryEntry Registry { get; }

    private static string Describe(ImageReference reference, RegistryEntry registry)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(registry);
        return $"pulling {reference} is refused: registry prefix \"{registry.Prefix}\" is blocked in {registry.Source} ({registry.Key})";
    }
}
