using System.Diagnostics;
using CriO.Tests.Shared;

namespace CriO.Storage.Tests;

/// <summary>podman confined to the test's store: its own graphroot, runroot and tmpdir, no events written.</summary>
internal sealed class PodmanCli(TempStoreDirectory store)
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    private IEnumerable<string> GlobalOptions =>
    [
        "--root", store.Path("graph"),
        "--runroot", store.Path("run"),
        "--storage-driver", "overlay",
        "--tmpdir", store.Path("tmp"),
        "--events-backend", "none",
    ];

    public async Task<string> RunAsync(params string[] arguments)
    {
        var (exitCode, output, errors) = await ChildProcess.RunAsync("podman", [.. GlobalOptions, .. arguments], timeout: PodmanCli.Timeout);
        Assert.True(exitCode == 0, $"podman {string.Join(' ', arguments)}: exit {exitCode}: {errors}");
        return output;
    }

    public async Task<Service> StartServiceAsync()
    {
        var socket = store.Path("podman.sock");
        var start = new ProcessStartInfo("podman") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in GlobalOptions.Concat(["system", "service", "--time", "0", $"unix://{socket}"]))
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start)!;
        var service = new Service(process, socket);
        var deadline = Stopwatch.StartNew();
        while (!File.Exists(socket))
        {
            if (process.HasExited || deadline.Elapsed > PodmanCli.Timeout)
            {
                await service.DisposeAsync();
                Assert.Fail($"podman system service did not start: {await process.StandardError.ReadToEndAsync()}");
            }

            await Task.Delay(50);
        }

        return service;
    }
}

/// <summary>A running `podman system service`: one long-lived containers/storage user.</summary>
internal sealed class Service(Process process, string socket) : IAsyncDisposable
{
    public async Task<string> ImagesAsync()
    {
        var (exitCode, output, errors) = await ChildProcess.RunAsync(
            "podman", ["--remote", "--url", $"unix://{socket}", "images", "--format", "{{.Names}}"], timeout: PodmanCli.Timeout);
        Assert.True(exitCode == 0, $"podman --remote images: exit {exitCode}: {errors}");
        return output;
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        process.Dispose();
    }
}
