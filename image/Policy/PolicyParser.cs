using System.Text.Json;

namespace CriO.Image.Policy;

/// <summary>
/// Reads policy.json as strictly as containers/image does (containers-policy.json(5): an
/// unrecognised, duplicated or invalid field rejects the whole file), walking a JsonDocument
/// by hand: no reflection, so it works published NativeAOT, and duplicate keys, which a
/// serializer would silently collapse, are seen. The bodies of signature requirements are not
/// checked field by field: CriO refuses every image they govern anyway.
/// </summary>
internal static class PolicyParser
{
    public const string DockerTransport = "docker";

    // A policy is a few KiB.
    public const long MaxBytes = 4 * 1024 * 1024;

    // containers/image's transports; scopes of the others are parsed and kept out of evaluation.
    private static readonly HashSet<string> KnownTransports = new(StringComparer.Ordinal)
    {
        "atomic", "containers-storage", "dir", "docker", "docker-archive", "docker-daemon",
        "oci", "oci-archive", "ostree", "sif", "tarball",
    };

    public static SignaturePolicy Parse(string json, string source)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions
            {
                AllowTrailingCommas = false,
                CommentHandling = JsonCommentHandling.Disallow,
            });
        }
        catch (JsonException e)
        {
            throw new SignaturePolicyException(source, "", $"not valid JSON: {e.Message}");
        }

        using (document)
        {
            var root = document.RootElement;
            Expect(root, JsonValueKind.Object, source, "", "the top level must be an object");
            IReadOnlyList<PolicyRequirement>? defaults = null;
            var dockerScopes = new Dictionary<string, IReadOnlyList<PolicyRequirement>>(StringComparer.Ordinal);
            var warnings = new List<string>();
            foreach (var property in Properties(root, source, ""))
            {
                switch (property.Name)
                {
                    case "default":
                        defaults = Requirements(property.Value, source, "default");
                        break;
                    case "transports":
                        ParseTransports(property.Value, source, dockerScopes, warnings);
                        break;
                    default:
                        throw new SignaturePolicyException(source, property.Name, "unknown key (a policy has \"default\" and \"transports\")");
                }
            }

            return defaults is null
                ? throw new SignaturePolicyException(source, "default", "is missing: a policy must say what happens to images no scope matches")
                : new SignaturePolicy(source, defaults, dockerScopes, warnings);
        }
    }

    private static void ParseTransports(
        JsonElement transports, string source, Dictionary<string, IReadOnlyList<PolicyRequirement>> dockerScopes, List<string> warnings)
    {
        Expect(transports, JsonValueKind.Object, source, "transports", "must be an object of transport names");
        foreach (var transport in Properties(transports, source, "transports"))
        {
            var transportLocation = $"transports.{transport.Name}";
            Expect(transport.Value, JsonValueKind.Object, source, transportLocation, "must be an object of scopes");
            if (!KnownTransports.Contains(transport.Name))
            {
                // containers/image accepts unknown transports (without checking their scopes); so do we.
                warnings.Add($"{source}: {transportLocation}: unknown transport, its scopes are never used");
            }

            foreach (var scope in Properties(transport.Value, source, transportLocation))
            {
                var scopeLocation = $"{transportLocation}[\"{scope.Name}\"]";
                var requirements = Requirements(scope.Value, source, scopeLocation);
                if (transport.Name == DockerTransport)
                {
                    CheckDockerScope(scope.Name, source, scopeLocation);
                    dockerScopes[scope.Name] = requirements;
                }
            }
        }
    }

    // containers/image would accept "example*.com" or "*.example.com/ns" and never match them,
    // so the images meant to be governed would fall through to a wider scope. In a security
    // policy that silent gap is worse than a load error.
    private static void CheckDockerScope(string scope, string source, string location)
    {
        var star = scope.IndexOf('*', StringComparison.Ordinal);
        if (star < 0)
        {
            return;
        }

        var rest = scope.AsSpan(Math.Min(2, scope.Length));
        if (!scope.StartsWith("*.", StringComparison.Ordinal) || rest.IsEmpty || rest.IndexOfAny("*/:@") >= 0)
        {
            throw new SignaturePolicyException(source, location,
                "a wildcard scope is \"*.example.com\": '*.' then a host suffix, without port, namespace, tag or digest");
        }
    }

    private static List<PolicyRequirement> Requirements(JsonElement value, string source, string location)
    {
        Expect(value, JsonValueKind.Array, source, location, "must be an array of requirements");
        var requirements = new List<PolicyRequirement>();
        var index = 0;
        foreach (var item in value.EnumerateArray())
        {
            requirements.Add(Requirement(item, source, $"{location}[{index++}]"));
        }

        // An empty list would accept everything implicitly; insecureAcceptAnything says so explicitly.
        return requirements.Count > 0
            ? requirements
            : throw new SignaturePolicyException(source, location,
                "the list of requirements must not be empty (use [{\"type\": \"insecureAcceptAnything\"}] to accept anything)");
    }

    private static PolicyRequirement Requirement(JsonElement item, string source, string location)
    {
        Expect(item, JsonValueKind.Object, source, location, "a requirement is an object with a \"type\"");
        string? type = null;
        var fields = Properties(item, source, location).ToList();
        foreach (var field in fields.Where(f => f.Name == "type"))
        {
            type = field.Value.ValueKind == JsonValueKind.String
                ? field.Value.GetString()
                : throw new SignaturePolicyException(source, $"{location}.type", "must be a string");
        }

        if (type is null)
        {
            throw new SignaturePolicyException(source, location, "the requirement has no \"type\"");
        }

        if (!PolicyRequirement.IsKnown(type))
        {
            throw new SignaturePolicyException(source, $"{location}.type",
                $"unknown requirement type \"{type}\" (known: insecureAcceptAnything, reject, signedBy, signedBaseLayer, sigstoreSigned)");
        }

        var requirement = new PolicyRequirement(type);
        var extra = fields.Select(f => f.Name).FirstOrDefault(name => name != "type");
        if (requirement.IsSimple && extra is not null)
        {
            throw new SignaturePolicyException(source, $"{location}.{extra}", $"a \"{type}\" requirement has no field but \"type\"");
        }

        return requirement;
    }

    /// <summary>An object's properties, refusing duplicates.</summary>
    private static IEnumerable<JsonProperty> Properties(JsonElement element, string source, string location)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in element.EnumerateObject())
        {
            if (!seen.Add(property.Name))
            {
                var where = location.Length == 0 ? property.Name : $"{location}.{property.Name}";
                throw new SignaturePolicyException(source, where, "the key appears twice");
            }

            yield return property;
        }
    }

    private static void Expect(JsonElement element, JsonValueKind kind, string source, string location, string reason)
    {
        if (element.ValueKind != kind)
        {
            throw new SignaturePolicyException(source, location, reason);
        }
    }
}
