using CriO.Image.Reference;

namespace CriO.Image.Policy;

/// <summary>
/// The signature policy does not allow pulling an image: the scope that applied demands
/// <c>reject</c>, or demands a signature CriO cannot verify. Names the scope and the file, so
/// the fix (a scope for that registry or repository) is obvious.
/// </summary>
public sealed class PolicyRejectedException : Exception
{
    public PolicyRejectedException(ImageReference reference, string scope, string source, string reason)
        : base($"pulling {reference} is rejected by the signature policy: {scope} in {source} {reason}")
    {
        Reference = reference;
        Scope = scope;
        PolicySource = source;
        Reason = reason;
    }

    public ImageReference Reference { get; }

    /// <summary>The scope that applied: <c>default</c>, <c>transports.docker[""]</c> or <c>transports.docker["…"]</c>.</summary>
    public string Scope { get; }

    /// <summary>The policy file.</summary>
    public string PolicySource { get; }

    public string Reason { get; }

    /// <summary>True when the refusal is a signature requirement CriO cannot check, rather than <c>reject</c>.</summary>
    public bool IsUnsupportedVerification { get; init; }
}
