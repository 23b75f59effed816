extern alias KubernetesFull;

using System.Text.Json;
using CriO.Server.Config;
using CriO.Server.Play;
using CriO.Server.Tests.Containers;
using YamlDotNet.RepresentationModel;
using KubernetesYaml = KubernetesFull::k8s.KubernetesYaml;

namespace CriO.Server.Tests.Play;

/// <summary>
/// Every file under manifests/ parses as what its extension says it is, so an operator never
/// applies a broken one: Kubernetes objects by KubernetesClient, other YAML (kubeadm, kind,
/// minikube settings) as a YAML mapping, crio configuration by our loader, JSON by
/// System.Text.Json. Extensions with no check are listed, so a new kind of file is noticed.
/// </summary>
public sealed class ManifestFilesTests
{
    // Files that are neither configuration nor objects: documentation, units, scripts.
    private static readonly string[] UncheckedExtensions = [".md", ".service", ".sh", ".txt"];

    // Configuration YAML with apiVersion/kind that is read by its own tool, not by an API server.
    private static readonly string[] ToolConfigGroups = ["kubeadm.k8s.io/", "kind.x-k8s.io/", "kubelet.config.k8s.io/", "kubeproxy.config.k8s.io/"];

    public static TheoryData<string> ManifestFiles()
    {
        var root = Path.Join(DefaultSeccompProfileTests.RepoRoot(), "manifests");
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(root, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetRelativePath(root, file));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ManifestFiles))]
    public void Every_manifest_file_parses_as_its_extension_says(string relativePath)
    {
        var path = Path.Join(DefaultSeccompProfileTests.RepoRoot(), "manifests", relativePath);
        var text = File.ReadAllText(path);
        switch (Path.GetExtension(path))
        {
            case ".yaml" or ".yml":
                ParseYaml(text);
                break;
            case ".conf" or ".toml":
                var loaded = ConfigLoader.Load(new ConfigSources { File = path, FileRequired = true, DropInDirectory = Path.Join(path, "no-drop-ins") });
                Assert.NotNull(loaded.Config);
                break;
            case ".json" or ".conflist":
                using (var document = JsonDocument.Parse(text))
                {
                    Assert.Equal(JsonValueKind.Object, document.RootElement.ValueKind);
                }

                break;
            case var extension when UncheckedExtensions.Contains(extension, StringComparer.Ordinal):
                break;
            case var extension:
                Assert.Fail($"{relativePath}: no check for {extension} files; add one here, or list the extension as unchecked");
                break;
        }
    }

    [Fact]
    public void Every_example_pod_runs_through_the_crio_play_reader_and_states_its_end()
    {
        var examples = Directory.GetFiles(Path.Join(DefaultSeccompProfileTests.RepoRoot(), "manifests", "examples"), "*.yaml");
        Assert.NotEmpty(examples);
        foreach (var file in examples)
        {
            var manifest = PodManifest.Load(file);
            Assert.Contains(manifest.Pod.Metadata.Annotations["crio.example/expected-state"], new[] { PodPhase.Running, PodPhase.Succeeded });
        }
    }

    // A file of Kubernetes objects is read whole into KubernetesClient's models; a file of a
    // tool's configuration (kubeadm, kind: apiVersion and kind of their own) or of plain settings
    // (minikube) must be YAML mappings.
    private static void ParseYaml(string text)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        Assert.NotEmpty(stream.Documents);
        var apiVersions = stream.Documents.Select(d => ApiVersion(Assert.IsType<YamlMappingNode>(d.RootNode))).ToList();
        if (apiVersions.All(IsToolConfig))
        {
            return;
        }

        Assert.DoesNotContain(apiVersions, IsToolConfig);
        var objects = KubernetesYaml.LoadAllFromString(text);
        Assert.Equal(stream.Documents.Count, objects.Count);
        Assert.All(objects, o => Assert.IsAssignableFrom<KubernetesFull::k8s.IKubernetesObject>(o));
    }

    private static string ApiVersion(YamlMappingNode document) =>
        document.Children.TryGetValue(new YamlScalarNode("apiVersion"), out var version) ? (version as YamlScalarNode)?.Value ?? "" : "";

    private static bool IsToolConfig(string apiVersion) =>
        apiVersion.Length == 0 || ToolConfigGroups.Any(g => apiVersion.StartsWith(g, StringComparison.Ordinal));
}
