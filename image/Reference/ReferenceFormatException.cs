namespace CriO.Image.Reference;

/// <summary>
/// A string that is not an image reference. The message quotes the input and says which part
/// is wrong (domain, path component, tag, digest, length), so a kubelet event is enough to fix
/// the pod spec without reading the grammar.
/// </summary>
public sealed class ReferenceFormatException : FormatException
{
    public ReferenceFormatException(string input, string reason)
        : base($"invalid image reference \"{Shorten(input)}\": {reason}")
    {
        Input = input;
        Reason = reason;
    }

    /// <summary>The rejected input, in full.</summary>
    public string Input { get; }

    /// <summary>What is wrong, without the input.</summary>
    public string Reason { get; }

    // Inputs can be up to the parser's bound (and beyond, when that is the error); a log line
    // needs only the start to identify the image.
    private static string Shorten(string input) => input.Length <= 300 ? input : string.Concat(input.AsSpan(0, 300), "…");
}
