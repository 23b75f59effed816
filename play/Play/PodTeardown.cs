using CriO.Cri;

namespace CriO.Server.Play;

/// <summary>
/// `crio play --down`: the pods crio play made for a manifest, found by the kubelet's labels
/// (name, namespace, and uid when the manifest has one), stopped and removed with their
/// containers, emptyDir folders and log folders. Nothing found is not an error.
/// </summary>
public sealed class PodTeardown(RuntimeService.RuntimeServiceClient runtime, PlaySettings settings, TextWriter output)
{
    /// <summary>How many pods were removed.</summary>
    public async Task<int> RunAsync(PodManifest manifest, CancellationToken cancellationToken)
    {
        var pods = await FindAsync(runtime, manifest, cancellationToken).ConfigureAwait(false);
        if (pods.Count == 0)
        {
            await output.WriteLineAsync($"no pod {manifest.Namespace}/{manifest.Name} made by crio play is there").ConfigureAwait(false);
        }

        foreach (var pod in pods)
        {
            await runtime.StopPodSandboxAsync(new StopPodSandboxRequest { PodSandboxId = pod.Id }, cancellationToken: cancellationToken);
            await runtime.RemovePodSandboxAsync(new RemovePodSandboxRequest { PodSandboxId = pod.Id }, cancellationToken: cancellationToken);
            var uid = pod.Metadata.Uid;
            DeleteFolder(settings.PodFolder(manifest.Namespace, manifest.Name, uid));
            DeleteFolder(settings.LogFolder(manifest.Namespace, manifest.Name, uid));
            await output.WriteLineAsync($"removed pod {manifest.Namespace}/{manifest.Name} (uid {uid}, sandbox {pod.Id[..12]})").ConfigureAwait(false);
        }

        return pods.Count;
    }

    /// <summary>Pods crio play made for this manifest's name and namespace (and uid, when the manifest names one).</summary>
    public static async Task<IReadOnlyList<PodSandbox>> FindAsync(RuntimeService.RuntimeServiceClient runtime, PodManifest manifest, CancellationToken cancellationToken)
    {
        var filter = new PodSandboxFilter();
        filter.LabelSelector[KubernetesLabels.PodName] = manifest.Name;
        filter.LabelSelector[KubernetesLabels.PodNamespace] = manifest.Namespace;
        filter.LabelSelector[KubernetesLabels.PlayedBy] = "true";
        if (!manifest.UidGenerated)
        {
            filter.LabelSelector[KubernetesLabels.PodUid] = manifest.Uid;
        }

        return (await runtime.ListPodSandboxAsync(new ListPodSandboxRequest { Filter = filter }, cancellationToken: cancellationToken)).Items;
    }

    public static void DeleteFolder(string folder)
    {
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
