using CriO.Cri;
using CriO.E2E.Tests.Fixtures;
using CriO.Server.Play;
using CriO.Tests.Shared;

namespace CriO.E2E.Tests.Manifests;

/// <summary>
/// Every pod in manifests/examples runs through the published `crio play` to the end state its
/// crio.example/expected-state annotation names, shows its expected-log text and answers its
/// expected-http request; `crio play --down` then leaves nothing behind. Needs root (CI is root).
/// </summary>
public sealed class ExamplePodsTests(ExamplePodsHost fixture) : IClassFixture<ExamplePodsHost>
{
    private const string Annotation = "crio.example/";

    public static TheoryData<string> Examples()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(Path.Combine(RepositoryPaths.Root, "manifests", "examples"), "*.yaml").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(file));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public async Task The_example_pod_reaches_its_expected_state_and_down_leaves_nothing(string example)
    {
        var path = Path.Combine(RepositoryPaths.Root, "manifests", "examples", example);
        var manifest = PodManifest.Load(path);
        var annotations = manifest.Pod.Metadata.Annotations;
        var madeHostPaths = (manifest.Pod.Spec.Volumes ?? []).Select(v => v.HostPath?.Path).OfType<string>().Where(p => !Path.Exists(p)).ToList();
        try
        {
            var (exitCode, output, errors) = await PlayAsync(path);
            Assert.True(exitCode == 0, $"crio play exited {exitCode}:\n{output}\n{errors}");
            Assert.Contains($"phase: {annotations[Annotation + "expected-state"]}", output, StringComparison.Ordinal);
            var pod = Assert.Single(await PlayedPodsAsync(manifest));
            if (annotations.TryGetValue(Annotation + "expected-log", out var log))
            {
                await AssertLoggedAsync(output, manifest, pod.Metadata.Uid, log);
            }

            if (annotations.TryGetValue(Annotation + "expected-http", out var http))
            {
                var (port, body) = (http[..http.IndexOf(':', StringComparison.Ordinal)], http[(http.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim());
                Assert.Equal(body, (await GetWithRetriesAsync(new Uri($"http://127.0.0.1:{port}/"))).Trim());
            }

            var down = await PlayAsync("--down", path);
            Assert.True(down.ExitCode == 0, $"crio play --down exited {down.ExitCode}:\n{down.Output}\n{down.Errors}");
            Assert.Empty(await PlayedPodsAsync(manifest));
            Assert.Empty(await LeakCheck.FindAsync(fixture.Host, [pod.Id]));
            Assert.False(Directory.Exists(Path.Combine(fixture.Host.Folder.Root, "crio-play", $"{manifest.Namespace}_{manifest.Name}_{pod.Metadata.Uid}")));
            Assert.False(Directory.Exists(Path.Combine(fixture.LogRoot, $"{manifest.Namespace}_{manifest.Name}_{pod.Metadata.Uid}")));
        }
        finally
        {
            // The safety net for a failed run: the test's pods go, and host folders it made.
            foreach (var left in await PlayedPodsAsync(manifest))
            {
                await fixture.Host.Runtime.RemovePodSandboxAsync(new RemovePodSandboxRequest { PodSandboxId = left.Id });
            }

            foreach (var made in madeHostPaths.Where(Directory.Exists))
            {
                Directory.Delete(made, recursive: true);
            }
        }
    }

    [Fact]
    public async Task A_manifest_with_an_unsupported_volume_is_refused_before_anything_is_made()
    {
        var path = Path.Combine(fixture.Host.Folder.Root, "bad.yaml");
        await File.WriteAllTextAsync(path, """
            apiVersion: v1
            kind: Pod
            metadata: { name: bad }
            spec:
              containers: [{ name: main, image: docker.io/library/busybox:1 }]
              volumes: [{ name: config, configMap: { name: settings } }]
            """);

        var (exitCode, _, errors) = await PlayAsync(path);

        Assert.Equal(1, exitCode);
        Assert.Contains("volume type configMap is not supported", errors, StringComparison.Ordinal);
        Assert.DoesNotContain((await fixture.Host.Runtime.ListPodSandboxAsync(new ListPodSandboxRequest())).Items, p => p.Metadata.Name == "bad");
    }

    private Task<(int ExitCode, string Output, string Errors)> PlayAsync(params string[] arguments)
    {
        var host = fixture.Host;
        return ChildProcess.RunAsync(RepositoryPaths.CrioBinary,
        [
            "play", "--config", host.Folder.ConfigFile, "--config-dir", host.Folder.DropInDirectory, "--socket", host.Folder.Socket,
            "--log-root", fixture.LogRoot, "--cgroup-parent", $"{host.CgroupRoot}/podplay", "--timeout", "60", .. arguments,
        ], timeout: TimeSpan.FromSeconds(120));
    }

    private async Task<IReadOnlyList<PodSandbox>> PlayedPodsAsync(PodManifest manifest)
    {
        var filter = new PodSandboxFilter();
        filter.LabelSelector[KubernetesLabels.PodName] = manifest.Name;
        filter.LabelSelector[KubernetesLabels.PodNamespace] = manifest.Namespace;
        return (await fixture.Host.Runtime.ListPodSandboxAsync(new ListPodSandboxRequest { Filter = filter })).Items;
    }

    // A running container may not have written its line yet when crio play reports: its CRI log
    // file is read until the line shows up.
    private async Task AssertLoggedAsync(string output, PodManifest manifest, string uid, string text)
    {
        var folder = Path.Combine(fixture.LogRoot, $"{manifest.Namespace}_{manifest.Name}_{uid}");
        for (var deadline = DateTime.UtcNow.AddSeconds(20); !output.Contains(text, StringComparison.Ordinal); await Task.Delay(200))
        {
            Assert.True(DateTime.UtcNow < deadline, $"\"{text}\" is not in the output of crio play nor in the logs:\n{output}");
            output = string.Concat(Directory.GetFiles(folder, "*.log", SearchOption.AllDirectories).Select(CriLogText.Read));
        }
    }

    private static async Task<string> GetWithRetriesAsync(Uri uri)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await http.GetStringAsync(uri);
            }
            catch (HttpRequestException) when (attempt < 20)
            {
                await Task.Delay(250);
            }
        }
    }
}
