using System.Text.Json;
using System.Text.Json.Nodes;
using k8s.Models;

namespace CriO.Server.Play;

/// <summary>
/// A Pod manifest read and checked: one v1 Pod whose every field crio play would act on is one
/// it supports. Everything that can be known wrong from the file alone fails here, before the
/// daemon is asked for anything.
/// </summary>
public sealed class PodManifest
{
    private PodManifest(V1Pod pod, string uid, bool uidGenerated)
    {
        Pod = pod;
        Uid = uid;
        UidGenerated = uidGenerated;
    }

    public V1Pod Pod { get; }

    public string Name => Pod.Metadata.Name;

    /// <summary>metadata.namespace, "default" when the manifest leaves it out (as kubectl does).</summary>
    public string Namespace => string.IsNullOrEmpty(Pod.Metadata.NamespaceProperty) ? "default" : Pod.Metadata.NamespaceProperty;

    /// <summary>metadata.uid, or a new one when the manifest has none (the API server would assign one).</summary>
    public string Uid { get; }

    public bool UidGenerated { get; }

    /// <summary>spec.restartPolicy, "Always" when left out (the API default).</summary>
    public string RestartPolicy => string.IsNullOrEmpty(Pod.Spec.RestartPolicy) ? "Always" : Pod.Spec.RestartPolicy;

    /// <summary>Warnings for fields that are valid but that crio play does not act on (probes, hooks).</summary>
    public IReadOnlyList<string> Warnings { get; private init; } = [];

    public static PodManifest Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ManifestException($"{path}: {e.Message}", e);
        }

        try
        {
            return Parse(text);
        }
        catch (ManifestException e)
        {
            throw new ManifestException($"{path}: {e.Message}", e);
        }
    }

    public static PodManifest Parse(string yaml)
    {
        var documents = YamlJson.ReadDocuments(yaml);
        if (documents.Count != 1)
        {
            throw new ManifestException($"expected one YAML document holding a Pod, found {documents.Count}");
        }

        var json = documents[0] as JsonObject ?? throw new ManifestException("the document is not a mapping");
        var kind = (string?)json["kind"];
        var apiVersion = (string?)json["apiVersion"];
        if (kind != "Pod" || apiVersion != "v1")
        {
            throw new ManifestException($"the document is apiVersion \"{apiVersion}\" kind \"{kind}\"; crio play runs apiVersion v1 kind Pod");
        }

        V1Pod pod;
        try
        {
            pod = json.Deserialize(PodManifestJsonContext.Default.V1Pod) ?? throw new ManifestException("the Pod is empty");
        }
        catch (JsonException e)
        {
            throw new ManifestException($"the Pod does not match the v1 Pod schema at {e.Path}: {e.Message}", e);
        }
        catch (FormatException e)
        {
            // A resource quantity that does not parse fails in its converter, without a path.
            throw new ManifestException($"the Pod has a malformed quantity: {e.Message}", e);
        }

        var warnings = PodManifestValidator.Validate(pod, json);
        var uid = pod.Metadata?.Uid;
        return new PodManifest(pod, string.IsNullOrEmpty(uid) ? Guid.NewGuid().ToString() : uid, string.IsNullOrEmpty(uid)) { Warnings = warnings };
    }

    /// <summary>Init containers then containers: every container the pod runs.</summary>
    public IEnumerable<V1Container> AllContainers => (Pod.Spec.InitContainers ?? []).Concat(Pod.Spec.Containers);
}
