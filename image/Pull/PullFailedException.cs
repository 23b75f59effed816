namespace CriO.Image.Pull;

/// <summary>No source could deliver the image; the message lists what each one answered.</summary>
public sealed class PullFailedException(string message, bool notFound, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>Every source said the image does not exist (rather than being unreachable or broken).</summary>
    public bool NotFound { get; } = notFound;
}
