using CriO.Cri;
using CriO.E2E.Tests.Fixtures;
using CriO.Server.Play;

namespace CriO.E2E.Tests.Manifests;

/// <summary>
/// How `crio play` fails: a manifest it cannot run is refused before anything is made, a step
/// that fails midway takes the pod away again, and a pod whose container fails is reported
/// Failed and kept until --down. Needs root (CI is root).
/// </summary>
public sealed class PlayFailureTests(PlayTestHost fixture) : IClassFixture<PlayTestHost>
{
    [Fact]
    public async Task A_manifest_with_an_unsupported_volume_is_refused_before_anything_is_made()
    {
        var path = await WriteAsync("bad", """
            apiVersion: v1
            kind: Pod
            metadata: { name: bad }
            spec:
              containers: [{ name: main, image: docker.io/library/busybox:1 }]
              volumes: [{ name: config, configMap: { name: settings } }]
            """);

        var (exitCode, _, errors) = await fixture.PlayAsync(path);

        Assert.Equal(1, exitCode);
        Assert.Contains("volume type configMap is not supported", errors, StringComparison.Ordinal);
        Assert.DoesNotContain((await fixture.Host.Runtime.ListPodSandboxAsync(new ListPodSandboxRequest())).Items, p => p.Metadata.Name == "bad");
    }

    [Fact]
    public async Task An_image_that_is_not_there_with_pull_policy_Never_is_refused_before_the_pod_is_made()
    {
        var path = await WriteAsync("never", """
            apiVersion: v1
            kind: Pod
            metadata: { name: never }
            spec:
              containers: [{ name: main, image: docker.io/library/busybox:not-pulled, imagePullPolicy: Never }]
            """);
        var manifest = PodManifest.Load(path);

        var (exitCode, _, errors) = await fixture.PlayAsync(path);

        Assert.Equal(1, exitCode);
        Assert.Contains("image docker.io/library/busybox:not-pulled is not present and imagePullPolicy is Never", errors, StringComparison.Ordinal);
        Assert.Empty(await fixture.PodsOfAsync(manifest));
    }

    [Fact]
    public async Task A_container_that_cannot_start_takes_the_pod_and_its_folders_away_again()
    {
        var path = await WriteAsync("broken", """
            apiVersion: v1
            kind: Pod
            metadata: { name: broken }
            spec:
              restartPolicy: Never
              containers: [{ name: main, image: docker.io/library/busybox:1, command: [/no/such/program] }]
              volumes: [{ name: scratch, emptyDir: {} }]
            """);
        var manifest = PodManifest.Load(path);
        try
        {
            var (exitCode, output, errors) = await fixture.PlayAsync(path);

            Assert.True(exitCode == 1, $"crio play exited {exitCode}:\n{output}\n{errors}");
            Assert.Contains("the daemon answered", errors, StringComparison.Ordinal);
            Assert.Empty(await fixture.PodsOfAsync(manifest));
            Assert.Empty(await LeakCheck.FindAsync(fixture.Host, []));
            Assert.Empty(FoldersOf(manifest));
        }
        finally
        {
            await fixture.RemovePodsOfAsync(manifest);
        }
    }

    [Fact]
    public async Task A_failing_container_makes_the_pod_Failed_and_it_stays_until_down()
    {
        var path = await WriteAsync("fails", """
            apiVersion: v1
            kind: Pod
            metadata: { name: fails }
            spec:
              restartPolicy: Never
              containers: [{ name: main, image: docker.io/library/busybox:1, command: [sh, -c, "echo giving up; exit 3"] }]
            """);
        var manifest = PodManifest.Load(path);
        try
        {
            var (exitCode, output, errors) = await fixture.PlayAsync(path);

            Assert.Equal(1, exitCode);
            Assert.Contains("phase: Failed", output, StringComparison.Ordinal);
            Assert.Contains("container main: Exited, exit code 3", output, StringComparison.Ordinal);
            Assert.Contains("giving up", output, StringComparison.Ordinal);
            Assert.Contains("is Failed", errors, StringComparison.Ordinal);
            var pod = Assert.Single(await fixture.PodsOfAsync(manifest));

            // A second run is refused while the first pod is there.
            var again = await fixture.PlayAsync(path);
            Assert.Equal(1, again.ExitCode);
            Assert.Contains("is already there", again.Errors, StringComparison.Ordinal);

            Assert.Equal(0, (await fixture.PlayAsync("--down", path)).ExitCode);
            Assert.Empty(await fixture.PodsOfAsync(manifest));
            Assert.Empty(await LeakCheck.FindAsync(fixture.Host, [pod.Id]));
            Assert.Empty(FoldersOf(manifest));

            // Down is repeatable.
            Assert.Equal(0, (await fixture.PlayAsync("--down", path)).ExitCode);
        }
        finally
        {
            await fixture.RemovePodsOfAsync(manifest);
        }
    }

    private async Task<string> WriteAsync(string name, string yaml)
    {
        var path = Path.Combine(fixture.Host.Folder.Root, $"{name}.yaml");
        await File.WriteAllTextAsync(path, yaml);
        return path;
    }

    // The pod's emptyDir and log folders, whatever uid it got.
    private IEnumerable<string> FoldersOf(PodManifest manifest) =>
        new[] { Path.Combine(fixture.Host.Folder.Root, "crio-play"), fixture.LogRoot }
            .Where(Directory.Exists)
            .SelectMany(root => Directory.GetDirectories(root, $"{manifest.Namespace}_{manifest.Name}_*"));
}
