namespace CriO.Image.Registries;

/// <summary>
/// A short name that registries.conf cannot turn into candidates: no alias and no
/// unqualified-search registry, or an ambiguity that <c>short-name-mode = "enforcing"</c> refuses.
/// </summary>
public sealed class ShortNameResolutionException(string name, string message) : Exception(message)
{
    /// <summary>The name as the user gave it.</summary>
    public string Name { get; } = name;
}
