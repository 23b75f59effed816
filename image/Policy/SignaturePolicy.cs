using CriO.Image.Reference;

namespace CriO.Image.Policy;

/// <summary>
/// containers-policy.json(5) for pulls over the <c>docker</c> transport. The most specific
/// scope that exists decides alone: the image, its repository, each parent namespace, the
/// registry, "*.domain" wildcards, the transport's "" scope, then <c>default</c>. Every
/// requirement of that scope must hold: <c>insecureAcceptAnything</c> holds, <c>reject</c>
/// refuses, and the signature requirements (<c>signedBy</c>, <c>sigstoreSigned</c>,
/// <c>signedBaseLayer</c>) refuse too, since CriO cannot verify signatures: never accept what
/// the administrator asked to verify.
/// <para>
/// A missing file: containers/image refuses to pull without a policy, and CRI-O packages ship
/// an insecureAcceptAnything one. <see cref="Load"/> refuses as containers/image does;
/// <see cref="TryLoad"/> returns null instead, so the daemon can choose <see cref="Default"/>
/// explicitly and log that it did.
/// </para>
/// </summary>
public sealed class SignaturePolicy
{
    private readonly IReadOnlyList<PolicyRequirement> _default;
    private readonly Dictionary<string, IReadOnlyList<PolicyRequirement>> _dockerScopes;

    internal SignaturePolicy(
        string source, IReadOnlyList<PolicyRequirement> defaultRequirements,
        Dictionary<string, IReadOnlyList<PolicyRequirement>> dockerScopes, IReadOnlyList<string> warnings)
    {
        Source = source;
        _default = defaultRequirements;
        _dockerScopes = dockerScopes;
        Warnings = warnings;
    }

    /// <summary>
    /// Accept any image: the policy CRI-O's packages install. Not applied silently: the caller
    /// picks it when <see cref="TryLoad"/> finds no file.
    /// </summary>
    public static SignaturePolicy Default { get; } = new(
        "built-in default policy (insecureAcceptAnything)",
        [new PolicyRequirement(PolicyRequirement.InsecureAcceptAnything)],
        new Dictionary<string, IReadOnlyList<PolicyRequirement>>(StringComparer.Ordinal),
        []);

    /// <summary>The file the policy came from, for messages.</summary>
    public string Source { get; }

    /// <summary>Things that were accepted but have no effect (unknown transports), as "file: location: why".</summary>
    public IReadOnlyList<string> Warnings { get; }

    /// <summary>Reads <paramref name="path"/>; a missing file is an error, as in containers/image.</summary>
    public static SignaturePolicy Load(string path) =>
        TryLoad(path) ?? throw new SignaturePolicyException(path, "",
            "the signature policy file does not exist; pulls are refused without one (install a policy.json, or configure the built-in insecureAcceptAnything default)");

    /// <summary>Reads <paramref name="path"/>, or returns null when it does not exist. Any other problem throws.</summary>
    public static SignaturePolicy? TryLoad(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string json;
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                return null;
            }

            if (info.Length > PolicyParser.MaxBytes)
            {
                throw new SignaturePolicyException(path, "", $"the file is larger than {PolicyParser.MaxBytes} bytes");
            }

            json = File.ReadAllText(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SignaturePolicyException(path, "", $"cannot read the file: {e.Message}");
        }

        return PolicyParser.Parse(json, path);
    }

    /// <summary>One document; <paramref name="source"/> names it in messages.</summary>
    public static SignaturePolicy Parse(string json, string source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return PolicyParser.Parse(json, source);
    }

    /// <summary>
    /// Allows pulling <paramref name="reference"/> from a docker registry, or throws
    /// <see cref="PolicyRejectedException"/> naming the scope that refused. Evaluate the name
    /// the user asked for (before mirrors and location rewrites): scopes are about identity.
    /// </summary>
    public PolicyDecision Evaluate(ImageReference reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        var (scope, requirements) = RequirementsFor(reference);
        foreach (var requirement in requirements)
        {
            switch (requirement.Type)
            {
                case PolicyRequirement.InsecureAcceptAnything:
                    break;
                case PolicyRequirement.Reject:
                    throw new PolicyRejectedException(reference, scope, Source, "requires \"reject\"");
                default:
                    throw new PolicyRejectedException(reference, scope, Source,
                        $"requires \"{requirement.Type}\": signature verification is not supported by CriO, so the image is refused rather than pulled unverified")
                    {
                        IsUnsupportedVerification = true,
                    };
            }
        }

        return new PolicyDecision(scope, Source);
    }

    private (string Scope, IReadOnlyList<PolicyRequirement> Requirements) RequirementsFor(ImageReference reference)
    {
        if (_dockerScopes.Count > 0)
        {
            foreach (var scope in DockerPolicyScopes.Namespaces(reference).Prepend(DockerPolicyScopes.Identity(reference)).Append(""))
            {
                if (_dockerScopes.TryGetValue(scope, out var requirements))
                {
                    return ($"transports.{PolicyParser.DockerTransport}[\"{scope}\"]", requirements);
                }
            }
        }

        return ("default", _default);
    }
}
