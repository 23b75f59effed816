using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using CriO.Cri;
using CriO.E2E.Tests.Fixtures;
using CriO.Tests.Shared;

namespace CriO.E2E.Tests.Daemon;

/// <summary>`crio status` and the inspect API it reads, against a running daemon.</summary>
public sealed class StatusCommandTests
{
    [Fact]
    public async Task Status_config_and_info_answer_from_the_running_daemon()
    {
        using var folder = new CrioFolder();
        await using var crio = await CrioProcess.StartAsync(folder);

        // The socket comes from the configuration (its listen), as for an installed crio.
        var (configExit, config, configErrors) = await RunAsync(["status", .. folder.DaemonArguments(), "config"]);
        Assert.True(configExit == 0, configErrors);
        Assert.Contains($"root = \"{folder.Root}/storage\"\n", config, StringComparison.Ordinal);
        Assert.Contains("[crio.runtime.runtimes.runc]", config, StringComparison.Ordinal);

        var (infoExit, info, infoErrors) = await RunAsync("status", "--socket", folder.Socket, "info");
        Assert.True(infoExit == 0, infoErrors);
        var document = JsonDocument.Parse(info).RootElement;
        Assert.Equal("overlay", document.GetProperty("storage_driver").GetString());
        Assert.Equal($"{folder.Root}/storage", document.GetProperty("storage_root").GetString());
        Assert.Equal("cgroupfs", document.GetProperty("cgroup_driver").GetString());

        // Short names, as CRI-O's tool has them.
        var (shortExit, shortInfo, _) = await RunAsync("status", "-s", folder.Socket, "i");
        Assert.Equal(0, shortExit);
        Assert.Equal(info, shortInfo);

        var (missingExit, _, missingErrors) = await RunAsync("status", "--socket", folder.Socket, "containers", "--id", "0123456789ab");
        Assert.Equal(1, missingExit);
        Assert.Contains("can't find the container with id 0123456789ab", missingErrors, StringComparison.Ordinal);

        var (downExit, _, downErrors) = await RunAsync("status", "--socket", Path.Combine(folder.Root, "none.sock"), "info");
        Assert.Equal(1, downExit);
        Assert.Contains("cannot reach crio", downErrors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HTTP_1_1_clients_reach_the_inspect_API_on_the_CRI_socket_and_gRPC_still_works()
    {
        using var folder = new CrioFolder();
        await using var crio = await CrioProcess.StartAsync(folder);

        var answer = await Http1GetAsync(folder.Socket, "/info");
        Assert.StartsWith("HTTP/1.1 200", answer, StringComparison.Ordinal);
        Assert.Contains("\"cgroup_driver\":\"cgroupfs\"", answer, StringComparison.Ordinal);
        Assert.StartsWith("HTTP/1.1 404", await Http1GetAsync(folder.Socket, "/nothing"), StringComparison.Ordinal);

        var version = await new RuntimeService.RuntimeServiceClient(crio.Channel).VersionAsync(new VersionRequest());
        Assert.Equal("crio", version.RuntimeName);
        var (exit, config, _) = await RunAsync("status", "--socket", folder.Socket, "config");
        Assert.Equal(0, exit);
        Assert.Contains("[crio.api]", config, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_containers_shows_a_running_containers_details()
    {
        await using var setup = await ContainerHost.StartAsync();
        var pod = await setup.Host.RunAsync(setup.Host.PodConfig("inspected"));
        var id = await setup.StartAsync(pod, "sleeper", ["sleep", "600"], c => c.Labels["role"] = "inspected");
        var podIp = (await setup.Host.StatusAsync(pod)).Status.Network.Ip;

        var (exit, output, errors) = await RunAsync("status", "--socket", setup.Host.Folder.Socket, "containers", "--id", id[..12]);

        Assert.True(exit == 0, errors);
        var container = JsonDocument.Parse(output).RootElement;
        Assert.True(container.GetProperty("pid").GetInt32() > 0);
        Assert.Equal(pod, container.GetProperty("sandbox").GetString());
        Assert.Equal(setup.ImageName, container.GetProperty("image").GetString());
        Assert.Equal("inspected", container.GetProperty("labels").GetProperty("role").GetString());
        Assert.Equal(id, container.GetProperty("crio_annotations").GetProperty("io.kubernetes.cri-o.ContainerID").GetString());
        Assert.EndsWith("sleeper/0.log", container.GetProperty("log_path").GetString(), StringComparison.Ordinal);
        Assert.Contains(podIp, container.GetProperty("ip_addresses").EnumerateArray().Select(ip => ip.GetString()));
        Assert.True(Directory.Exists(container.GetProperty("root").GetString()), "root is the container's mounted root");
    }

    private static async Task<string> Http1GetAsync(string socketPath, string path)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath));
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: crio\r\nConnection: close\r\n\r\n"));
        using var reader = new StreamReader(stream, Encoding.UTF8);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        return await reader.ReadToEndAsync(timeout.Token);
    }

    private static Task<(int ExitCode, string Output, string Errors)> RunAsync(params string[] arguments) =>
        ChildProcess.RunAsync(RepositoryPaths.CrioBinary, arguments);
}
