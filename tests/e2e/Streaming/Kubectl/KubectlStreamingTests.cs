using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using CriO.Cri;
using CriO.E2E.Tests.Fixtures;
using CriO.Tests.Shared;

namespace CriO.E2E.Tests.Streaming.Kubectl;

/// <summary>
/// Exec, attach and port-forward as kubectl does them, with client-go's own streaming clients
/// (the ones the kubelet's users have), reaching crio's streaming server through
/// <see cref="KubeApiStandIn"/>: each case runs once with Debian's kubectl 1.20 over SPDY/3.1 and
/// once with a kubectl of 1.31 or newer over WebSocket (remotecommand v5, and port-forward as
/// SPDY tunnelled in a WebSocket). Go's SPDY client waits for each stream's reply before it
/// opens the next one and decodes every header block from its own frame, which npm's
/// spdy-transport does not; these are the checks that caught it.
/// </summary>
public sealed class KubectlStreamingTests
{
    [Theory]
    [MemberData(nameof(Clients))]
    public async Task Exec_gives_output_stderr_the_exit_code_and_takes_stdin(string clientName)
    {
        var kubectl = KubectlClient.Named(clientName);
        await using var setup = await ContainerHost.StartAsync();
        var pod = await setup.Host.RunAsync(setup.Host.PodConfig("kexec"));
        var id = await setup.StartAsync(pod, "sleeper", ["sleep", "600"]);
        await using var api = StandIn(setup, new StandInPod("kexec", pod, [new StandInContainer("sleeper", id)]));

        var (exit, output, errors) = await kubectl.RunAsync(api.Kubeconfig, ["exec", "kexec", "-c", "sleeper", "--", "sh", "-c", "echo out; echo err >&2; exit 3"]);
        Assert.True(exit == 3, $"{kubectl}: exit {exit}: {output}{errors}");
        Assert.Equal("out\n", output);
        Assert.Contains("err\n", errors, StringComparison.Ordinal);

        var cat = await kubectl.RunAsync(api.Kubeconfig, ["exec", "-i", "kexec", "-c", "sleeper", "--", "cat"], stdin: "ping\npong\n");
        Assert.True(cat.ExitCode == 0, $"{kubectl}: exit {cat.ExitCode}: {cat.Output}{cat.Errors}");
        Assert.Equal("ping\npong\n", cat.Output);
        api.AssertUpgradedWith(kubectl);
    }

    [Theory]
    [MemberData(nameof(Clients))]
    public async Task A_terminal_exec_sees_the_terminals_size_and_a_resize(string clientName)
    {
        var kubectl = KubectlClient.Named(clientName);
        await using var setup = await ContainerHost.StartAsync();
        var pod = await setup.Host.RunAsync(setup.Host.PodConfig("ktty"));
        var id = await setup.StartAsync(pod, "sleeper", ["sleep", "600"]);
        await using var api = StandIn(setup, new StandInPod("ktty", pod, [new StandInContainer("sleeper", id)]));

        // kubectl takes a terminal only when its stdin is one: it runs on a pseudo-terminal of
        // 30x100 that is resized to 40x120 once the first size has come back. Each typed line
        // asks the size again: the client's first size is set on the container's terminal only
        // after the command has started (as with every CRI runtime), so a first answer may be 0x0.
        var script = Path.Combine(RepositoryPaths.Root, "tests", "e2e", "Streaming", "Kubectl", "pty_run.py");
        var start = kubectl.Start(api.Kubeconfig, ["exec", "-it", "ktty", "-c", "sleeper", "--", "sh", "-c", "while read x; do stty size; done"],
            redirectStdin: false, program: "python3", before: [script, "30", "100", "30 100", "40", "120", "40 120", "60", "--"]);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(90));
        var text = await output;
        Assert.True(process.ExitCode == 0, $"{kubectl}: exit {process.ExitCode}: {text}{await errors} ({string.Join("; ", api.Upgrades)})");
        Assert.Contains("30 100", text, StringComparison.Ordinal);
        Assert.Contains("40 120", text, StringComparison.Ordinal);
        api.AssertUpgradedWith(kubectl);
    }

    [Theory]
    [MemberData(nameof(Clients))]
    public async Task Attach_to_a_running_container_takes_its_stdin_and_gives_what_it_prints_after(string clientName)
    {
        var kubectl = KubectlClient.Named(clientName);
        await using var setup = await ContainerHost.StartAsync();
        var pod = await setup.Host.RunAsync(setup.Host.PodConfig("kattach"));

        // stdin_once: the end of kubectl's stdin is the container's EOF, and what it prints a
        // second later still has to reach kubectl, whose session ends with the container.
        var id = await setup.StartAsync(pod, "console", ["sh", "-c", "read line; sleep 1; echo got-$line"], c =>
        {
            c.Stdin = true;
            c.StdinOnce = true;
        });
        await using var api = StandIn(setup, new StandInPod("kattach", pod, [new StandInContainer("console", id, Stdin: true, StdinOnce: true)]));

        var (exit, output, errors) = await kubectl.RunAsync(api.Kubeconfig, ["attach", "-i", "kattach", "-c", "console"], stdin: "hello\n");
        Assert.True(exit == 0, $"{kubectl}: exit {exit}: {output}{errors}");
        Assert.Contains("got-hello", output, StringComparison.Ordinal);
        Assert.Equal(0, (await setup.WaitExitedAsync(id)).ExitCode);
        api.AssertUpgradedWith(kubectl);
    }

    [Theory]
    [MemberData(nameof(Clients))]
    public async Task PortForward_serves_20_concurrent_connections_into_a_pod_network_and_a_host_network_pod(string clientName)
    {
        var kubectl = KubectlClient.Named(clientName);
        await using var setup = await ContainerHost.StartAsync();
        var pod = await setup.Host.RunAsync(setup.Host.PodConfig("kweb"));
        var web = await setup.StartAsync(pod, "web", ["sh", "-c", "mkdir -p /www && echo hello from the pod > /www/index.html && exec httpd -f -p 8080 -h /www"]);
        await StreamingTests.WaitForPortAsync(setup, pod);

        var hostConfig = setup.Host.PodConfig("khost");
        hostConfig.Linux.SecurityContext.NamespaceOptions.Network = NamespaceMode.Node;
        var hostPod = await setup.Host.RunAsync(hostConfig);
        var hostPort = LoopbackPort.PickFree();
        var hostWeb = await setup.StartAsync(hostPod, "web", ["sh", "-c", $"mkdir -p /www && echo hello from the host network > /www/index.html && exec httpd -f -p 127.0.0.1:{hostPort} -h /www"]);
        await WaitForHostPortAsync(hostPort);

        await using var api = StandIn(setup,
            new StandInPod("kweb", pod, [new StandInContainer("web", web)]),
            new StandInPod("khost", hostPod, [new StandInContainer("web", hostWeb)], HostNetwork: true));

        var local = LoopbackPort.PickFree();
        using (var forward = await kubectl.StartAsync(api.Kubeconfig, ["port-forward", "--address", "127.0.0.1", "pod/kweb", $"{local}:8080"], $"Forwarding from 127.0.0.1:{local}"))
        {
            var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => GetAsync(local)));
            Assert.All(answers, answer => Assert.Contains("hello from the pod", answer, StringComparison.Ordinal));
            Assert.DoesNotContain("error", forward.Output, StringComparison.OrdinalIgnoreCase);
        }

        var hostLocal = LoopbackPort.PickFree();
        using (await kubectl.StartAsync(api.Kubeconfig, ["port-forward", "--address", "127.0.0.1", "pod/khost", $"{hostLocal}:{hostPort}"], $"Forwarding from 127.0.0.1:{hostLocal}"))
        {
            Assert.Contains("hello from the host network", await GetAsync(hostLocal), StringComparison.Ordinal);
        }

        api.AssertUpgradedWith(kubectl);
    }

    public static TheoryData<string> Clients => KubectlClient.All;

    private static StandInSession StandIn(ContainerHost setup, params StandInPod[] pods)
    {
        var api = KubeApiStandIn.Start(setup.Runtime);
        foreach (var pod in pods)
        {
            api.Add(pod);
        }

        var folder = Directory.CreateTempSubdirectory("crio-kubectl-");
        return new StandInSession(api, folder.FullName, KubectlClient.WriteKubeconfig(folder.FullName, api.Server));
    }

    /// <summary>One HTTP/1.0 GET on a connection of its own (so 20 of them are 20 forwarded connections).</summary>
    private static async Task<string> GetAsync(int port)
    {
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port);
        var stream = client.GetStream();
        await stream.WriteAsync("GET /index.html HTTP/1.0\r\n\r\n"u8.ToArray());
        using var reader = new StreamReader(stream, Encoding.ASCII);
        return await reader.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(30));
    }

    private static async Task WaitForHostPortAsync(int port)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync("127.0.0.1", port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
    }

    /// <summary>The stand-in and kubectl's folder (kubeconfig, discovery cache), both gone on dispose.</summary>
    private sealed class StandInSession(KubeApiStandIn api, string folder, string kubeconfig) : IAsyncDisposable
    {
        public string Kubeconfig { get; } = kubeconfig;

        public IEnumerable<string> Upgrades => api.Upgrades.Select(u => $"{u.Subresource} {u.Upgrade} {u.Protocols} ?{u.Query}");

        /// <summary>Every streaming request came with the transport the client is meant to test (no fallback to the other).</summary>
        public void AssertUpgradedWith(KubectlClient kubectl)
        {
            Assert.NotEmpty(api.Upgrades);
            Assert.All(api.Upgrades, u => Assert.True(u.Upgrade.Equals(kubectl.Upgrade, StringComparison.OrdinalIgnoreCase),
                $"{kubectl}: {u.Subresource} asked to upgrade to \"{u.Upgrade}\" ({u.Protocols}) ?{u.Query}"));
        }

        public async ValueTask DisposeAsync()
        {
            await api.DisposeAsync();
            Directory.Delete(folder, recursive: true);
        }
    }
}
