namespace CriO.Image.Policy;

/// <summary>
/// One requirement object of a policy scope. Only its type matters to CriO: the two that need
/// no signature are enforced; the signature-checking ones are recognised, so a valid policy
/// loads, and every image they govern is refused.
/// </summary>
internal sealed record PolicyRequirement(string Type)
{
    public const string InsecureAcceptAnything = "insecureAcceptAnything";
    public const string Reject = "reject";
    public const string SignedBy = "signedBy";
    public const string SignedBaseLayer = "signedBaseLayer";
    public const string SigstoreSigned = "sigstoreSigned";

    public static bool IsKnown(string type) =>
        type is InsecureAcceptAnything or Reject or SignedBy or SignedBaseLayer or SigstoreSigned;

    /// <summary>The simple requirements allow no field but "type" (the format is strict).</summary>
    public bool IsSimple => Type is InsecureAcceptAnything or Reject;
}
