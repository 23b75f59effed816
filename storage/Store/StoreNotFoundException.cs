namespace CriO.Storage.Store;

/// <summary>No layer, image or container answers to the reference given.</summary>
public sealed class StoreNotFoundException(string kind, string reference)
    : Exception($"{kind} \"{reference}\" not found in the store")
{
    public string Kind { get; } = kind;

    public string Reference { get; } = reference;
}
