using System.Text.Json;
using CriO.Cri;
using CriO.E2E.Tests.Fixtures;

namespace CriO.E2E.Tests.Streaming;

/// <summary>
/// Exec, Attach and PortForward over SPDY/3.1, as kubectl and crictl still speak it, driven by
/// an independent client (npm's spdy-transport, in tests/e2e/node/spdy-stream.js, which makes
/// its streams the way client-go does) against real containers.
/// </summary>
public sealed class SpdyStreamingTests
{
    [Fact]
    public async Task Exec_over_SPDY_gives_output_stdin_and_the_exit_code()
    {
        await using var setup = await ContainerHost.StartAsync();
        var pod = await setup.Host.RunAsync(setup.Host.PodConfig("spdyexec"));
        var id = await setup.StartAsync(pod, "sleeper", ["sleep", "600"]);

        var echo = await SpdyAsync("remotecommand", await ExecUrlAsync(setup, id, ["sh", "-c", "echo hello; echo oops >&2"], stdout: true, stderr: true), "--stdout", "--stderr", "--ping");
        Assert.Equal("v4.channel.k8s.io", echo.GetProperty("protocol").GetString());
        Assert.True(echo.GetProperty("ping").GetBoolean());
        var streams = echo.GetProperty("streams");
        Assert.Equal("hello\n", streams.GetProperty("stdout").GetString());
        Assert.Equal("oops\n", streams.GetProperty("stderr").GetString());
        Assert.Equal("Success", Status(streams).GetProperty("status").GetString());

        var failing = Status((await SpdyAsync("remotecommand", await ExecUrlAsync(setup, id, ["sh", "-c", "exit 3"], stdout: true), "--stdout")).GetProperty("streams"));
        Assert.Equal("NonZeroExitCode", failing.GetProperty("reason").GetString());
        Assert.Equal("3", failing.GetProperty("details").GetProperty("causes")[0].GetProperty("message").GetString());

        var cat = await SpdyAsync("remotecommand", await ExecUrlAsync(setup, id, ["cat"], stdin: true, stdout: true), "--stdin", "ping\n", "--stdout");
        Assert.Equal("ping\n", cat.GetProperty("streams").GetProperty("stdout").GetString());
    }

    [Fact]
    public async Task Exec_over_SPDY_moves_more_than_a_flow_control_window_each_way()
    {
        await using var setup = await ContainerHost.StartAsync();
        var pod = await setup.Host.RunAsync(setup.Host.PodConfig("spdybig"));
        var id = await setup.StartAsync(pod, "sleeper", ["sleep", "600"]);

        // spdy-transport keeps to windows both ways: 200 kB in needs the window we give back as we
        // read, 3 MB out has to wait for the window it gives back.
        var input = await SpdyAsync("remotecommand", await ExecUrlAsync(setup, id, ["wc", "-c"], stdin: true, stdout: true), "--stdin", "0123456789", "--stdin-repeat", "20000", "--stdout");
        Assert.Equal("200000", input.GetProperty("streams").GetProperty("stdout").GetString()!.Trim());

        var output = await SpdyAsync("remotecommand", await ExecUrlAsync(setup, id, ["sh", "-c", "yes abcdefghi | head -c 3000000"], stdout: true), "--stdout");
        var text = output.GetProperty("streams").GetProperty("stdout").GetString()!;
        Assert.Equal(3_000_000, text.Length);
        Assert.Equal("Success", Status(output.GetProperty("streams")).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Older_protocols_are_negotiated_and_carry_errors_as_text()
    {
        await using var setup = await ContainerHost.StartAsync();
        var pod = await setup.Host.RunAsync(setup.Host.PodConfig("spdyold"));
        var id = await setup.StartAsync(pod, "sleeper", ["sleep", "600"]);

        foreach (var protocol in new[] { "v3.channel.k8s.io", "v2.channel.k8s.io" })
        {
            var result = await SpdyAsync("remotecommand", await ExecUrlAsync(setup, id, ["sh", "-c", "echo out; exit 3"], stdout: true),
                "--stdout", "--protocol", "v9.channel.k8s.io", "--protocol", protocol);
            Assert.Equal(protocol, result.GetProperty("protocol").GetString());
            Assert.Equal("out\n", result.GetProperty("streams").GetProperty("stdout").GetString());
            Assert.Contains("exit code 3", result.GetProperty("streams").GetProperty("error").GetString(), StringComparison.Ordinal);
        }

        var refused = await SpdyAsync("remotecommand", await ExecUrlAsync(setup, id, ["true"], stdout: true), "--stdout", "--protocol", "v9.channel.k8s.io", "--expect-status", "403");
        Assert.Contains("unable to negotiate protocol", refused.GetProperty("body").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_terminal_exec_over_SPDY_follows_the_resize_stream()
    {
        await using var setup = await ContainerHost.StartAsync();
        var pod = await setup.Host.RunAsync(setup.Host.PodConfig("spdytty"));
        var id = await setup.StartAsync(pod, "sleeper", ["sleep", "600"]);
        var url = (await setup.Runtime.ExecAsync(new ExecRequest { ContainerId = id, Cmd = { "sh", "-c", "echo ready; read word; echo got $word; stty size" }, Tty = true, Stdin = true, Stdout = true })).Url;

        var result = await SpdyAsync("remotecommand", url, "--tty", "--stdout", "--wait-for", "ready", "--resize", "100,40", "--stdin-delay", "300", "--stdin", "typed\n");

        var output = result.GetProperty("streams").GetProperty("stdout").GetString()!;
        Assert.Contains("got typed", output, StringComparison.Ordinal);
        Assert.Contains("40 100", output, StringComparison.Ordinal);
        Assert.Equal("Success", Status(result.GetProperty("streams")).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Attach_over_SPDY_reads_output_and_writes_stdin()
    {
        await using var setup = await ContainerHost.StartAsync();
        var pod = await setup.Host.RunAsync(setup.Host.PodConfig("spdyattach"));
        var id = await setup.StartAsync(pod, "reader", ["sh", "-c", "read line; echo got $line"], c => c.Stdin = true);
        var url = (await setup.Runtime.AttachAsync(new AttachRequest { ContainerId = id, Stdin = true, Stdout = true, Stderr = true })).Url;

        var result = await SpdyAsync("remotecommand", url, "--stdin", "hello\n", "--stdout", "--stderr");

        Assert.Equal("got hello\n", result.GetProperty("streams").GetProperty("stdout").GetString());
        Assert.Equal("Success", Status(result.GetProperty("streams")).GetProperty("status").GetString());
    }

    [Fact]
    public async Task PortForward_over_SPDY_answers_20_concurrent_requests_and_says_when_a_port_is_closed()
    {
        await using var setup = await ContainerHost.StartAsync();
        var pod = await setup.Host.RunAsync(setup.Host.PodConfig("spdyforward"));
        await setup.StartAsync(pod, "web", ["sh", "-c", "mkdir -p /www && echo hello from the pod > /www/index.html && exec httpd -f -p 8080 -h /www"]);
        await StreamingTests.WaitForPortAsync(setup, pod);

        var url = (await setup.Runtime.PortForwardAsync(new PortForwardRequest { PodSandboxId = pod })).Url;
        var result = await SpdyAsync("portforward", url, "--port", "8080", "--requests", "20", "--send", "GET /index.html HTTP/1.0\\r\\n\\r\\n");

        Assert.Equal("portforward.k8s.io", result.GetProperty("protocol").GetString());
        var requests = result.GetProperty("requests").EnumerateArray().ToList();
        Assert.Equal(20, requests.Count);
        Assert.All(requests, r =>
        {
            Assert.Contains("hello from the pod", r.GetProperty("data").GetString(), StringComparison.Ordinal);
            Assert.Equal("", r.GetProperty("error").GetString());
        });

        var closed = await SpdyAsync("portforward", (await setup.Runtime.PortForwardAsync(new PortForwardRequest { PodSandboxId = pod })).Url, "--port", "9");
        Assert.Contains("error forwarding port 9", closed.GetProperty("requests")[0].GetProperty("error").GetString(), StringComparison.Ordinal);

        // The token was used: a second upgrade with it is refused.
        var used = await SpdyAsync("portforward", url, "--port", "8080", "--expect-status", "404");
        Assert.Equal(404, used.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task An_idle_session_is_ended_after_stream_idle_timeout_over_both_transports()
    {
        await using var setup = await ContainerHost.StartAsync(prepare: h =>
            File.WriteAllText(Path.Combine(h.Folder.DropInDirectory, "50-stream-idle.conf"), "[crio.api]\nstream_idle_timeout = \"2s\"\n"));
        var pod = await setup.Host.RunAsync(setup.Host.PodConfig("idle"));
        var id = await setup.StartAsync(pod, "sleeper", ["sleep", "600"]);

        // A command that says nothing, from a client that says nothing: both ends go quiet.
        var started = DateTime.UtcNow;
        var spdy = await SpdyAsync("remotecommand", await ExecUrlAsync(setup, id, ["sleep", "300"], stdout: true), "--stdout");
        Assert.Equal("", spdy.GetProperty("streams").GetProperty("stdout").GetString());
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(30));

        started = DateTime.UtcNow;
        await using var client = await ChannelClient.ConnectAsync(await ExecUrlAsync(setup, id, ["sleep", "300"], stdout: true));
        await Assert.ThrowsAsync<System.Net.WebSockets.WebSocketException>(async () => await client.ReadToCloseAsync());
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(20));
    }

    private static async Task<string> ExecUrlAsync(ContainerHost setup, string id, string[] command, bool stdin = false, bool stdout = false, bool stderr = false) =>
        (await setup.Runtime.ExecAsync(new ExecRequest { ContainerId = id, Cmd = { command }, Stdin = stdin, Stdout = stdout, Stderr = stderr })).Url;

    private static async Task<JsonElement> SpdyAsync(params string[] arguments)
    {
        var (exitCode, output, errors) = await CriO.Tests.Shared.ChildProcess.RunAsync(
            "node", ["spdy-stream.js", .. arguments], RepositoryPaths.NodeClients, TimeSpan.FromSeconds(60));
        Assert.True(exitCode == 0, $"spdy-stream.js {string.Join(' ', arguments)}: exit {exitCode}: {errors}");
        return JsonDocument.Parse(output).RootElement;
    }

    private static JsonElement Status(JsonElement streams) => JsonDocument.Parse(streams.GetProperty("error").GetString()!).RootElement;
}
