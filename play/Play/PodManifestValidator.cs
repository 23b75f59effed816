using System.Text.Json.Nodes;
using k8s.Models;

namespace CriO.Server.Play;

/// <summary>
/// The checks a Pod must pass before crio play creates anything: the fields the API server
/// requires, and a clear refusal for every feature crio play does not carry out (volume types
/// other than hostPath and emptyDir, env from secrets or config maps, subPath mounts).
/// </summary>
public static class PodManifestValidator
{
    private static readonly string[] PullPolicies = ["Always", "IfNotPresent", "Never"];
    private static readonly string[] RestartPolicies = ["Always", "OnFailure", "Never"];
    private static readonly string[] Protocols = ["TCP", "UDP", "SCTP"];

    /// <summary>Throws <see cref="ManifestException"/> at the first problem; returns warnings for ignored fields.</summary>
    /// <param name="json">The Pod as JSON, to name the type of a volume the model does not single out.</param>
    public static IReadOnlyList<string> Validate(V1Pod pod, JsonObject json)
    {
        if (string.IsNullOrEmpty(pod.Metadata?.Name))
        {
            throw new ManifestException("metadata.name is required");
        }

        var spec = pod.Spec ?? throw new ManifestException("spec is required");
        if (spec.Containers is not { Count: > 0 })
        {
            throw new ManifestException("spec.containers must name at least one container");
        }

        Require(spec.RestartPolicy, RestartPolicies, "spec.restartPolicy");
        var warnings = new List<string>();
        var volumes = ValidateVolumes(spec.Volumes ?? [], json["spec"]?["volumes"] as JsonArray, warnings);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (container, field) in (spec.InitContainers ?? []).Select((c, i) => (c, $"spec.initContainers[{i}]"))
            .Concat(spec.Containers.Select((c, i) => (c, $"spec.containers[{i}]"))))
        {
            ValidateContainer(container, field, volumes);
            if (!names.Add(container.Name))
            {
                throw new ManifestException($"{field}.name: \"{container.Name}\" is used by two containers");
            }

            warnings.AddRange(IgnoredFields(container, field));
        }

        return warnings;
    }

    private static HashSet<string> ValidateVolumes(IList<V1Volume> volumes, JsonArray? json, List<string> warnings)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < volumes.Count; i++)
        {
            var volume = volumes[i];
            var field = $"spec.volumes[{i}]";
            if (string.IsNullOrEmpty(volume.Name) || !names.Add(volume.Name))
            {
                throw new ManifestException($"{field}.name: missing or used twice");
            }

            if (volume.HostPath is { } hostPath)
            {
                if (!Path.IsPathFullyQualified(hostPath.Path ?? ""))
                {
                    throw new ManifestException($"{field}.hostPath.path: \"{hostPath.Path}\" is not an absolute path");
                }

                Require(hostPath.Type, HostPathTypes.All, $"{field}.hostPath.type");
            }
            else if (volume.EmptyDir is { } emptyDir)
            {
                if (!string.IsNullOrEmpty(emptyDir.Medium))
                {
                    throw new ManifestException($"{field}.emptyDir.medium: \"{emptyDir.Medium}\" is not supported by crio play; leave it out for a folder on disk");
                }

                if (emptyDir.SizeLimit is not null)
                {
                    warnings.Add($"{field}.emptyDir.sizeLimit is not enforced by crio play");
                }
            }
            else
            {
                var type = (json?[i] as JsonObject)?.Select(p => p.Key).FirstOrDefault(k => k != "name") ?? "(none)";
                throw new ManifestException($"{field} \"{volume.Name}\": volume type {type} is not supported by crio play (hostPath and emptyDir are)");
            }
        }

        return names;
    }

    private static void ValidateContainer(V1Container container, string field, HashSet<string> volumes)
    {
        if (string.IsNullOrEmpty(container.Name))
        {
            throw new ManifestException($"{field}.name is required");
        }

        if (string.IsNullOrWhiteSpace(container.Image))
        {
            throw new ManifestException($"{field}.image is required (container \"{container.Name}\")");
        }

        Require(container.ImagePullPolicy, PullPolicies, $"{field}.imagePullPolicy");
        if (container.EnvFrom is { Count: > 0 })
        {
            throw new ManifestException($"{field}.envFrom is not supported by crio play (it reads config maps and secrets from an API server)");
        }

        foreach (var (env, i) in (container.Env ?? []).Select((e, i) => (e, i)))
        {
            var source = env.ValueFrom;
            if (source is null)
            {
                continue;
            }

            if (source.FieldRef is null)
            {
                throw new ManifestException($"{field}.env[{i}] \"{env.Name}\": valueFrom supports fieldRef only (secrets, config maps and resource fields need an API server)");
            }

            if (!PodEnvironment.IsSupportedField(source.FieldRef.FieldPath))
            {
                throw new ManifestException($"{field}.env[{i}] \"{env.Name}\": fieldRef {source.FieldRef.FieldPath} is not supported (supported: {PodEnvironment.SupportedFields})");
            }
        }

        foreach (var (port, i) in (container.Ports ?? []).Select((p, i) => (p, i)))
        {
            Require(port.Protocol, Protocols, $"{field}.ports[{i}].protocol");
            if (port.ContainerPort is < 1 or > 65535 || port.HostPort is < 0 or > 65535)
            {
                throw new ManifestException($"{field}.ports[{i}]: a port is out of 1-65535");
            }
        }

        foreach (var (mount, i) in (container.VolumeMounts ?? []).Select((m, i) => (m, i)))
        {
            if (!volumes.Contains(mount.Name ?? ""))
            {
                throw new ManifestException($"{field}.volumeMounts[{i}]: no volume named \"{mount.Name}\"");
            }

            if (!string.IsNullOrEmpty(mount.SubPath) || !string.IsNullOrEmpty(mount.SubPathExpr))
            {
                throw new ManifestException($"{field}.volumeMounts[{i}]: subPath is not supported by crio play");
            }

            if (!Path.IsPathFullyQualified(mount.MountPath ?? ""))
            {
                throw new ManifestException($"{field}.volumeMounts[{i}].mountPath: \"{mount.MountPath}\" is not an absolute path");
            }
        }

        // Fails on quantities the API server would reject, so no half-made pod meets them later.
        _ = ContainerResources.From(container.Resources, $"{field}.resources");
    }

    private static IEnumerable<string> IgnoredFields(V1Container container, string field)
    {
        if (container.LivenessProbe is not null || container.ReadinessProbe is not null || container.StartupProbe is not null)
        {
            yield return $"{field}: probes are not run by crio play";
        }

        if (container.Lifecycle is not null)
        {
            yield return $"{field}: lifecycle hooks are not run by crio play";
        }
    }

    private static void Require(string? value, string[] allowed, string field)
    {
        if (!string.IsNullOrEmpty(value) && !allowed.Contains(value, StringComparer.Ordinal))
        {
            throw new ManifestException($"{field}: \"{value}\" is not one of {string.Join(", ", allowed)}");
        }
    }
}
