namespace CriO.Storage.Archive;

/// <summary>
/// A layer that cannot be applied as it is: a malformed or truncated tar, an entry that would
/// reach outside the layer, a bound exceeded. The message names the entry when there is one;
/// the caller removes the half-written diff directory.
/// </summary>
public sealed class LayerFormatException : Exception
{
    public LayerFormatException()
    {
    }

    public LayerFormatException(string message)
        : base(message)
    {
    }

    public LayerFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public LayerFormatException(string message, string? entryName, Exception? innerException = null)
        : base(entryName is null ? message : $"layer entry '{entryName}': {message}", innerException)
    {
        EntryName = entryName;
    }

    /// <summary>The tar entry's name as the archive spells it, when the error concerns one entry.</summary>
    public string? EntryName { get; }
}
