using CriO.E2E.Tests.Fixtures;
using CriO.Server.Play;

namespace CriO.E2E.Tests.Manifests;

/// <summary>
/// Every pod in manifests/examples runs through the published `crio play` to the end state its
/// crio.example/expected-state annotation names, shows its expected-log text and answers its
/// expected-http request; `crio play --down` then leaves nothing behind. Needs root (CI is root).
/// </summary>
public sealed class ExamplePodsTests(PlayTestHost fixture) : IClassFixture<PlayTestHost>
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
            var (exitCode, output, errors) = await fixture.PlayAsync(path);
            Assert.True(exitCode == 0, $"crio play exited {exitCode}:\n{output}\n{errors}");
            Assert.Contains($"phase: {annotations[Annotation + "expected-state"]}", output, StringComparison.Ordinal);
            var pod = Assert.Single(await fixture.PodsOfAsync(manifest));
            if (annotations.TryGetValue(Annotation + "expected-log", out var log))
            {
                await AssertLoggedAsync(output, manifest, pod.Metadata.Uid, log);
            }

            if (annotations.TryGetValue(Annotation + "expected-http", out var http))
            {
                var (port, body) = (http[..http.IndexOf(':', StringComparison.Ordinal)], http[(http.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim());
                Assert.Equal(body, (await GetWithRetriesAsync(new Uri($"http://127.0.0.1:{port}/"))).Trim());
            }

            var down = await fixture.PlayAsync("--down", path);
            Assert.True(down.ExitCode == 0, $"crio play --down exited {down.ExitCode}:\n{down.Output}\n{down.Errors}");
            Assert.Empty(await fixture.PodsOfAsync(manifest));
            Assert.Empty(await LeakCheck.FindAsync(fixture.Host, [pod.Id]));
            Assert.False(Directory.Exists(Path.Combine(fixture.Host.Folder.Root, "crio-play", $"{manifest.Namespace}_{manifest.Name}_{pod.Metadata.Uid}")));
            Assert.False(Directory.Exists(Path.Combine(fixture.LogRoot, $"{manifest.Namespace}_{manifest.Name}_{pod.Metadata.Uid}")));
        }
        finally
        {
            // The safety net for a failed run: the test's pods go, and host folders it made.
            await fixture.RemovePodsOfAsync(manifest);

            foreach (var made in madeHostPaths.Where(Directory.Exists))
            {
                Directory.Delete(made, recursive: true);
            }
        }
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
