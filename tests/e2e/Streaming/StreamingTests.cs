using System.Net.WebSockets;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using CriO.Cri;
using CriO.E2E.Tests.Fixtures;
using Grpc.Core;

namespace CriO.E2E.Tests.Streaming;

/// <summary>
/// Exec, Attach and PortForward through the streaming server's WebSocket channel protocols,
/// against real containers: output and exit codes, stdin with v5's close signal, attaching to
/// a running container, forwarding to an HTTP server in a pod, and single-use tokens.
/// </summary>
public sealed class StreamingTests
{
    [Fact]
    public async Task Exec_gives_output_and_the_exit_code_reaches_the_client_as_a_Status()
    {
        await using var setup = await ContainerHost.StartAsync();
        var pod = await setup.Host.RunAsync(setup.Host.PodConfig("exec"));
        var id = await setup.StartAsync(pod, "sleeper", ["sleep", "600"]);

        var echo = await ExecAsync(setup, id, ["sh", "-c", "echo hello; echo oops >&2"], stdout: true, stderr: true);
        Assert.Equal("hello\n", ChannelClient.Text(echo, 1));
        Assert.Equal("oops\n", ChannelClient.Text(echo, 2));
        Assert.Equal("Success", Status(echo).GetProperty("status").GetString());

        var failing = Status(await ExecAsync(setup, id, ["sh", "-c", "exit 3"], stdout: true));
        Assert.Equal("Failure", failing.GetProperty("status").GetString());
        Assert.Equal("NonZeroExitCode", failing.GetProperty("reason").GetString());
        var cause = failing.GetProperty("details").GetProperty("causes")[0];
        Assert.Equal(("ExitCode", "3"), (cause.GetProperty("reason").GetString(), cause.GetProperty("message").GetString()));
    }

    [Fact]
    public async Task Exec_takes_stdin_until_the_v5_close_signal()
    {
        await using var setup = await ContainerHost.StartAsync();
        var pod = await setup.Host.RunAsync(setup.Host.PodConfig("stdin"));
        var id = await setup.StartAsync(pod, "sleeper", ["sleep", "600"]);
        var url = (await setup.Runtime.ExecAsync(new ExecRequest { ContainerId = id, Cmd = { "cat" }, Stdin = true, Stdout = true })).Url;

        await using var client = await ChannelClient.ConnectAsync(url);
        Assert.Equal("v5.channel.k8s.io", client.Protocol);
        await client.SendAsync(0, "ping\n");
        await client.SendAsync(255, [0]);
        var messages = await client.ReadToCloseAsync();

        Assert.Equal("ping\n", ChannelClient.Text(messages, 1));
        Assert.Equal("Success", Status(messages).GetProperty("status").GetString());
    }

    [Theory]
    [InlineData("v5.channel.k8s.io")]
    [InlineData("v4.channel.k8s.io")]
    public async Task An_independent_WebSocket_client_runs_an_exec_with_stdin_and_reads_its_exit_code(string protocol)
    {
        await using var setup = await ContainerHost.StartAsync();
        var pod = await setup.Host.RunAsync(setup.Host.PodConfig("ws"));
        var id = await setup.StartAsync(pod, "sleeper", ["sleep", "600"]);
        var command = protocol.StartsWith("v5", StringComparison.Ordinal) ? new[] { "sh", "-c", "read line; echo got $line; exit 3" } : ["sh", "-c", "echo no stdin; exit 3"];
        var url = (await setup.Runtime.ExecAsync(new ExecRequest { ContainerId = id, Cmd = { command }, Stdin = true, Stdout = true })).Url;

        var (exitCode, output, errors) = await CriO.Tests.Shared.ChildProcess.RunAsync(
            "node", ["ws-stream.js", url, protocol, "hello\n"], RepositoryPaths.NodeClients, TimeSpan.FromSeconds(60));

        Assert.True(exitCode == 0, errors);
        var result = JsonDocument.Parse(output).RootElement;
        Assert.Equal(protocol, result.GetProperty("protocol").GetString());
        var channels = result.GetProperty("channels");
        Assert.Equal(protocol.StartsWith("v5", StringComparison.Ordinal) ? "got hello\n" : "no stdin\n", channels.GetProperty("1").GetString());
        var status = JsonDocument.Parse(channels.GetProperty("3").GetString()!).RootElement;
        Assert.Equal("NonZeroExitCode", status.GetProperty("reason").GetString());
        Assert.Equal("3", status.GetProperty("details").GetProperty("causes")[0].GetProperty("message").GetString());
    }

    [Fact]
    public async Task Exec_with_a_terminal_sees_the_size_the_client_sets_and_its_input()
    {
        await using var setup = await ContainerHost.StartAsync();
        var pod = await setup.Host.RunAsync(setup.Host.PodConfig("tty"));
        var id = await setup.StartAsync(pod, "sleeper", ["sleep", "600"]);
        var url = (await setup.Runtime.ExecAsync(new ExecRequest { ContainerId = id, Cmd = { "sh", "-c", "echo ready; read word; echo got $word; stty size" }, Tty = true, Stdin = true, Stdout = true })).Url;

        await using var client = await ChannelClient.ConnectAsync(url);
        // Once the command speaks, the runtime copies between the terminals and follows resizes;
        // the resize is then given a moment to reach the container's terminal before the input.
        var first = await client.ReadUntilAsync(1, "ready");
        await client.SendAsync(4, "{\"Width\":100,\"Height\":40}");
        await Task.Delay(300);
        await client.SendAsync(0, "typed\n");
        var messages = await client.ReadToCloseAsync();

        var output = first + ChannelClient.Text(messages, 1);
        Assert.True(output.Contains("got typed", StringComparison.Ordinal), $"output [{output}] error [{ChannelClient.Text(messages, 3)}]");
        Assert.Contains("40 100", output, StringComparison.Ordinal);
        Assert.Equal("Success", Status(messages).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Attach_reads_a_running_containers_output_and_writes_its_stdin()
    {
        await using var setup = await ContainerHost.StartAsync();
        var pod = await setup.Host.RunAsync(setup.Host.PodConfig("attach"));
        var id = await setup.StartAsync(pod, "reader", ["sh", "-c", "while read line; do echo got $line; done"], c => c.Stdin = true);
        var url = (await setup.Runtime.AttachAsync(new AttachRequest { ContainerId = id, Stdin = true, Stdout = true, Stderr = true })).Url;

        await using var client = await ChannelClient.ConnectAsync(url, "v4.channel.k8s.io");
        await client.SendAsync(0, "hello\n");
        var received = await client.ReadUntilAsync(1, "got hello\n");
        Assert.Contains("got hello", received, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Attach_to_a_terminal_takes_its_input_and_resizes_it()
    {
        await using var setup = await ContainerHost.StartAsync();
        var pod = await setup.Host.RunAsync(setup.Host.PodConfig("ttyattach"));
        var id = await setup.StartAsync(pod, "console", ["sh", "-c", "while read line; do echo got $line; stty size; done"], c =>
        {
            c.Tty = true;
            c.Stdin = true;
        });
        var url = (await setup.Runtime.AttachAsync(new AttachRequest { ContainerId = id, Tty = true, Stdin = true, Stdout = true })).Url;

        await using var client = await ChannelClient.ConnectAsync(url);
        await client.SendAsync(4, "{\"Width\":90,\"Height\":30}");
        await Task.Delay(200);
        await client.SendAsync(0, "typed\n");
        var received = await client.ReadUntilAsync(1, "30 90");
        Assert.Contains("got typed", received, StringComparison.Ordinal);
        Assert.Contains("30 90", received, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PortForward_reaches_an_http_server_in_the_pod_from_20_concurrent_sessions()
    {
        await using var setup = await ContainerHost.StartAsync();
        var pod = await setup.Host.RunAsync(setup.Host.PodConfig("forward"));
        await setup.StartAsync(pod, "web", ["sh", "-c", "mkdir -p /www && echo hello from the pod > /www/index.html && exec httpd -f -p 8080 -h /www"]);
        await WaitForPortAsync(setup, pod);

        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(async _ =>
        {
            var url = (await setup.Runtime.PortForwardAsync(new PortForwardRequest { PodSandboxId = pod, Port = { 8080 } })).Url;
            await using var client = await ChannelClient.ConnectAsync(url, "v4.channel.k8s.io");
            await client.SendAsync(0, "GET /index.html HTTP/1.0\r\n\r\n");
            var messages = await client.ReadToCloseAsync();
            Assert.Equal([0x90, 0x1f], messages[0][0]);   // 8080, little endian, first on the data channel
            return ChannelClient.Text(messages, 0, skip: 1);
        }));

        Assert.All(answers, answer => Assert.Contains("hello from the pod", answer, StringComparison.Ordinal));

        // Two ports in one session: 8080 on channels 0/1 answers, 9 (nothing listens) says so on 3.
        var both = (await setup.Runtime.PortForwardAsync(new PortForwardRequest { PodSandboxId = pod, Port = { 8080, 9 } })).Url;
        await using var pair = await ChannelClient.ConnectAsync(both, "v4.channel.k8s.io");
        await pair.SendAsync(0, "GET /index.html HTTP/1.0\r\n\r\n");
        var messages = await pair.ReadToCloseAsync();
        Assert.Contains("hello from the pod", ChannelClient.Text(messages, 0, skip: 1), StringComparison.Ordinal);
        Assert.Equal([0x09, 0x00], messages[2][0]);
        Assert.Contains("failed to connect to localhost:9", ChannelClient.Text(messages, 3, skip: 1), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_url_opens_once_and_bad_requests_are_refused()
    {
        await using var setup = await ContainerHost.StartAsync();
        var pod = await setup.Host.RunAsync(setup.Host.PodConfig("tokens"));
        var id = await setup.StartAsync(pod, "sleeper", ["sleep", "600"]);
        var url = (await setup.Runtime.ExecAsync(new ExecRequest { ContainerId = id, Cmd = { "true" }, Stdout = true })).Url;
        await using (var first = await ChannelClient.ConnectAsync(url))
        {
            await first.ReadToCloseAsync();
        }

        await Assert.ThrowsAsync<WebSocketException>(() => ChannelClient.ConnectAsync(url));
        await Assert.ThrowsAsync<WebSocketException>(() => ChannelClient.ConnectAsync(url.Replace("/exec/", "/exec/x", StringComparison.Ordinal)));

        var noStreams = await Assert.ThrowsAsync<RpcException>(async () => await setup.Runtime.ExecAsync(new ExecRequest { ContainerId = id, Cmd = { "true" } }));
        Assert.Equal(StatusCode.InvalidArgument, noStreams.StatusCode);
        var ttyStderr = await Assert.ThrowsAsync<RpcException>(async () => await setup.Runtime.ExecAsync(new ExecRequest { ContainerId = id, Cmd = { "true" }, Tty = true, Stdout = true, Stderr = true }));
        Assert.Equal(StatusCode.InvalidArgument, ttyStderr.StatusCode);
        var unknown = await Assert.ThrowsAsync<RpcException>(async () => await setup.Runtime.AttachAsync(new AttachRequest { ContainerId = new string('f', 64), Stdout = true }));
        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
        var badPort = await Assert.ThrowsAsync<RpcException>(async () => await setup.Runtime.PortForwardAsync(new PortForwardRequest { PodSandboxId = pod, Port = { 70000 } }));
        Assert.Equal(StatusCode.InvalidArgument, badPort.StatusCode);
    }

    [Fact]
    public async Task The_streaming_server_speaks_TLS_when_asked()
    {
        using var server = Certificates.SelfSigned("127.0.0.1");
        await using var host = await StartWithTlsAsync(server, authority: null);
        var pod = await host.RunAsync(host.PodConfig("tls"));
        var url = (await host.Runtime.PortForwardAsync(new PortForwardRequest { PodSandboxId = pod, Port = { 9 } })).Url;
        Assert.StartsWith("https://127.0.0.1:", url, StringComparison.Ordinal);

        await using var client = await ChannelClient.ConnectAsync(url, server, null, "v4.channel.k8s.io");
        var messages = await client.ReadToCloseAsync();

        // Nothing listens on port 9 in the pod: the error channel says so, over TLS.
        Assert.Contains("failed to connect to localhost:9", ChannelClient.Text(messages, 1, skip: 1), StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_a_CA_only_clients_with_a_certificate_it_signed_get_in()
    {
        using var server = Certificates.SelfSigned("127.0.0.1");
        using var authority = Certificates.SelfSigned("crio-e2e-ca", authority: true);
        using var signed = Certificates.SignedBy(authority, "kubelet");
        using var stranger = Certificates.SelfSigned("stranger");
        await using var host = await StartWithTlsAsync(server, authority);
        var pod = await host.RunAsync(host.PodConfig("mtls"));

        async Task<string> PortForwardUrlAsync() => (await host.Runtime.PortForwardAsync(new PortForwardRequest { PodSandboxId = pod, Port = { 9 } })).Url;
        await Assert.ThrowsAnyAsync<Exception>(async () => await ChannelClient.ConnectAsync(await PortForwardUrlAsync(), server, null, "v4.channel.k8s.io"));
        await Assert.ThrowsAnyAsync<Exception>(async () => await ChannelClient.ConnectAsync(await PortForwardUrlAsync(), server, stranger, "v4.channel.k8s.io"));
        await using var client = await ChannelClient.ConnectAsync(await PortForwardUrlAsync(), server, signed, "v4.channel.k8s.io");
        Assert.Contains("failed to connect to localhost:9", ChannelClient.Text(await client.ReadToCloseAsync(), 1, skip: 1), StringComparison.Ordinal);
    }

    private static Task<PodTestHost> StartWithTlsAsync(System.Security.Cryptography.X509Certificates.X509Certificate2 server, System.Security.Cryptography.X509Certificates.X509Certificate2? authority) =>
        PodTestHost.StartAsync(h =>
        {
            var cert = Path.Combine(h.Folder.Root, "stream.crt");
            var key = Path.Combine(h.Folder.Root, "stream.key");
            File.WriteAllText(cert, server.ExportCertificatePem());
            File.WriteAllText(key, server.GetRSAPrivateKey()!.ExportPkcs8PrivateKeyPem());
            var ca = "";
            if (authority is not null)
            {
                File.WriteAllText(Path.Combine(h.Folder.Root, "ca.crt"), authority.ExportCertificatePem());
                ca = $"stream_tls_ca = \"{Path.Combine(h.Folder.Root, "ca.crt")}\"\n";
            }

            File.WriteAllText(Path.Combine(h.Folder.DropInDirectory, "50-stream-tls.conf"),
                $"[crio.api]\nstream_enable_tls = true\nstream_tls_cert = \"{cert}\"\nstream_tls_key = \"{key}\"\n{ca}");
        });

    private static async Task<Dictionary<byte, List<byte[]>>> ExecAsync(ContainerHost setup, string id, string[] command, bool stdout = false, bool stderr = false)
    {
        var url = (await setup.Runtime.ExecAsync(new ExecRequest { ContainerId = id, Cmd = { command }, Stdout = stdout, Stderr = stderr })).Url;
        await using var client = await ChannelClient.ConnectAsync(url);
        return await client.ReadToCloseAsync();
    }

    private static JsonElement Status(Dictionary<byte, List<byte[]>> messages) =>
        JsonDocument.Parse(ChannelClient.Text(messages, 3)).RootElement;

    // busybox httpd needs a moment after start; ExecSync inside the pod tells when it listens.
    internal static async Task WaitForPortAsync(ContainerHost setup, string pod)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        var probe = await setup.StartAsync(pod, "probe", ["sleep", "600"]);
        while ((await setup.ExecAsync(probe, "wget", "-q", "-O", "-", "http://127.0.0.1:8080/index.html")).ExitCode != 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "httpd listens in the pod");
            await Task.Delay(100);
        }
    }
}
