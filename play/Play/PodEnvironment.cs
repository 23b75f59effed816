using System.Text;
using k8s.Models;

namespace CriO.Server.Play;

/// <summary>
/// A container's environment as the kubelet builds it: values in order, fieldRef values read
/// from the pod (its name, namespace, uid, IP, node), and $(NAME) references to variables
/// defined earlier expanded ($$ escapes a dollar; an unknown reference stays as written).
/// </summary>
public sealed class PodEnvironment(PodManifest manifest, string podIp, string nodeName)
{
    public const string SupportedFields = "metadata.name, metadata.namespace, metadata.uid, metadata.labels['KEY'], metadata.annotations['KEY'], spec.nodeName, spec.serviceAccountName, status.podIP, status.podIPs, status.hostIP";

    private static readonly string[] PlainFields =
        ["metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName", "spec.serviceAccountName", "status.podIP", "status.podIPs", "status.hostIP", "status.hostIPs"];

    public static bool IsSupportedField(string? path) =>
        path is not null && (PlainFields.Contains(path, StringComparer.Ordinal) || MapKey(path, "metadata.labels") is not null || MapKey(path, "metadata.annotations") is not null);

    /// <summary>NAME=VALUE pairs of <paramref name="container"/>, in the manifest's order.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> For(V1Container container)
    {
        var defined = new Dictionary<string, string>(StringComparer.Ordinal);
        var result = new List<KeyValuePair<string, string>>();
        foreach (var env in container.Env ?? [])
        {
            var value = env.ValueFrom?.FieldRef is { } field ? FieldValue(field.FieldPath) : Expand(env.Value ?? "", defined);
            defined[env.Name] = value;
            result.Add(new(env.Name, value));
        }

        return result;
    }

    /// <summary><paramref name="words"/> (command or args) with $(NAME) references to the container's environment expanded.</summary>
    public IReadOnlyList<string> ExpandAll(IEnumerable<string>? words, IReadOnlyList<KeyValuePair<string, string>> environment)
    {
        var defined = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in environment)
        {
            defined[name] = value;
        }

        return [.. (words ?? []).Select(w => Expand(w, defined))];
    }

    public string FieldValue(string path) => path switch
    {
        "metadata.name" => manifest.Name,
        "metadata.namespace" => manifest.Namespace,
        "metadata.uid" => manifest.Uid,
        "spec.nodeName" => nodeName,
        "spec.serviceAccountName" => manifest.Pod.Spec.ServiceAccountName ?? "",
        "status.podIP" or "status.podIPs" => podIp,
        "status.hostIP" or "status.hostIPs" => "",
        _ when MapKey(path, "metadata.labels") is { } key => (manifest.Pod.Metadata.Labels is { } labels && labels.TryGetValue(key, out var label) ? label : ""),
        _ when MapKey(path, "metadata.annotations") is { } key => (manifest.Pod.Metadata.Annotations is { } annotations && annotations.TryGetValue(key, out var annotation) ? annotation : ""),
        _ => throw new ManifestException($"fieldRef {path} is not supported"),
    };

    // metadata.labels['KEY'] names one key of the map.
    private static string? MapKey(string path, string map) =>
        path.StartsWith(map + "['", StringComparison.Ordinal) && path.EndsWith("']", StringComparison.Ordinal) && path.Length > map.Length + 4
            ? path[(map.Length + 2)..^2]
            : null;

    public static string Expand(string text, IReadOnlyDictionary<string, string> defined)
    {
        if (!text.Contains('$', StringComparison.Ordinal))
        {
            return text;
        }

        var result = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] != '$' || i + 1 == text.Length)
            {
                result.Append(text[i]);
            }
            else if (text[i + 1] == '$')
            {
                result.Append('$');
                i++;
            }
            else if (text[i + 1] == '(' && text.IndexOf(')', i + 2) is var end and > 0 && defined.TryGetValue(text[(i + 2)..end], out var value))
            {
                result.Append(value);
                i = end;
            }
            else
            {
                result.Append('$');
            }
        }

        return result.ToString();
    }
}
