using CriO.Oci.Runtime;
using Xunit.Abstractions;

namespace CriO.Oci.Tests.Runtime;

/// <summary>The client against the real runc and crun. Needs root (CI runs as root).</summary>
[Collection(RuntimeCollection.Name)]
public class OciRuntimeTests(CgroupHostFixture host, ITestOutputHelper output)
{
    private const int SigKill = 9;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(15);

    [Theory]
    [InlineData("runc")]
    [InlineData("crun")]
    public async Task Create_start_kill_delete_goes_through_created_running_stopped(string runtimeName)
    {
        output.WriteLine(host.Notes);
        await using var bundle = TestBundle.Create(runtimeName);
        var spec = bundle.Spec("echo hi > /tmp/out; sleep 30");
        spec.Annotations = new() { ["io.crio.test"] = "yes" };
        await bundle.WriteAsync(spec);
        var runtime = bundle.Runtime;
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = deadline.Token;

        await runtime.CreateAsync(bundle.Id, bundle.Bundle, bundle.PidFile, consoleSocket: null, ct);

        var created = await runtime.StateAsync(bundle.Id, ct);
        Assert.Equal(OciStatus.Created, created.Status);
        Assert.Equal(bundle.Id, created.Id);
        Assert.Equal(bundle.Bundle, created.Bundle);
        Assert.True(created.Pid > 0);
        Assert.Equal(created.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture), (await File.ReadAllTextAsync(bundle.PidFile, ct)).Trim());
        Assert.False(string.IsNullOrEmpty(created.OciVersion));
        Assert.NotEmpty(bundle.CgroupFolders());
        Assert.Equal("yes", created.Annotations?["io.crio.test"]);

        await runtime.StartAsync(bundle.Id, ct);

        Assert.Equal(OciStatus.Running, (await runtime.StateAsync(bundle.Id, ct)).Status);
        var outFile = Path.Combine(bundle.Rootfs, "tmp", "out");
        await WaitUntilAsync(() => File.Exists(outFile) && File.ReadAllText(outFile) == "hi\n", "the process wrote /tmp/out");

        await runtime.KillAsync(bundle.Id, SigKill, all: false, ct);

        await WaitUntilAsync(async () => (await runtime.StateAsync(bundle.Id, ct)).Status == OciStatus.Stopped, "the container stopped");

        await runtime.DeleteAsync(bundle.Id, force: false, ct);

        var gone = await Assert.ThrowsAsync<OciContainerNotFoundException>(() => runtime.StateAsync(bundle.Id, ct));
        output.WriteLine(gone.Message);
        Assert.Contains(bundle.Id, gone.Message);
        Assert.NotEqual("(no message)", gone.RuntimeMessage);
        Assert.Empty(bundle.CgroupFolders());

        // Repeatable: deleting what is gone succeeds (CRI RemoveContainer is idempotent).
        await runtime.DeleteAsync(bundle.Id, force: false, ct);
        await runtime.DeleteAsync(bundle.Id, force: true, ct);
    }

    [Theory]
    [InlineData("runc")]
    [InlineData("crun")]
    public async Task Kill_all_and_force_delete_remove_a_running_container(string runtimeName)
    {
        await using var bundle = TestBundle.Create(runtimeName);
        await bundle.WriteAsync(bundle.Spec("sleep 30 & sleep 30"));
        var runtime = bundle.Runtime;

        await runtime.CreateAsync(bundle.Id, bundle.Bundle, bundle.PidFile);
        await runtime.StartAsync(bundle.Id);
        await runtime.KillAsync(bundle.Id, SigKill, all: true);
        await WaitUntilAsync(async () => (await runtime.StateAsync(bundle.Id)).Status == OciStatus.Stopped, "the container stopped");
        await runtime.DeleteAsync(bundle.Id, force: true);

        await Assert.ThrowsAsync<OciContainerNotFoundException>(() => runtime.StateAsync(bundle.Id));
    }

    [Theory]
    [InlineData("runc")]
    [InlineData("crun")]
    public async Task Force_delete_stops_a_running_container(string runtimeName)
    {
        await using var bundle = TestBundle.Create(runtimeName);
        await bundle.WriteAsync(bundle.Spec("sleep 30"));
        var runtime = bundle.Runtime;
        await runtime.CreateAsync(bundle.Id, bundle.Bundle, bundle.PidFile);
        await runtime.StartAsync(bundle.Id);

        await runtime.DeleteAsync(bundle.Id, force: true);

        await Assert.ThrowsAsync<OciContainerNotFoundException>(() => runtime.StateAsync(bundle.Id));
    }

    [Theory]
    [InlineData("runc")]
    [InlineData("crun")]
    public async Task A_bad_namespace_type_fails_with_the_runtimes_own_message(string runtimeName)
    {
        await using var bundle = TestBundle.Create(runtimeName);
        var spec = bundle.Spec("true");
        spec.Linux!.Namespaces!.Add(new() { Type = "bogus" });
        await bundle.WriteAsync(spec);

        var e = await Assert.ThrowsAsync<OciRuntimeException>(
            () => bundle.Runtime.CreateAsync(bundle.Id, bundle.Bundle, bundle.PidFile));

        output.WriteLine(e.Message);
        Assert.IsNotType<OciContainerNotFoundException>(e);
        Assert.Contains("bogus", e.Message);
        Assert.Equal(1, e.ExitCode);
    }

    /// <summary>Guards <see cref="CriO.Oci.Spec.RuntimeSpec.SupportedVersion"/>: Debian's crun refuses newer spec versions.</summary>
    [Fact]
    public async Task Crun_refuses_a_spec_version_newer_than_it_knows()
    {
        await using var bundle = TestBundle.Create("crun");
        var spec = bundle.Spec("true");
        spec.OciVersion = "1.2.0";
        await bundle.WriteAsync(spec);

        var e = await Assert.ThrowsAsync<OciRuntimeException>(
            () => bundle.Runtime.CreateAsync(bundle.Id, bundle.Bundle, bundle.PidFile));

        Assert.Contains("unknown version specified", e.Message);
    }

    [Theory]
    [InlineData("runc")]
    [InlineData("crun")]
    public async Task Kill_and_state_of_an_unknown_id_say_not_found(string runtimeName)
    {
        await using var bundle = TestBundle.Create(runtimeName);

        var state = await Assert.ThrowsAsync<OciContainerNotFoundException>(() => bundle.Runtime.StateAsync("nothing-here"));
        var kill = await Assert.ThrowsAsync<OciContainerNotFoundException>(() => bundle.Runtime.KillAsync("nothing-here", SigKill));
        await bundle.Runtime.DeleteAsync("nothing-here");

        output.WriteLine(state.Message);
        output.WriteLine(kill.Message);
        Assert.StartsWith($"{runtimeName} state nothing-here failed (exit code 1): ", state.Message);
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var until = DateTime.UtcNow + Bound;
        while (!await condition())
        {
            if (DateTime.UtcNow > until)
            {
                throw new TimeoutException($"waited {Bound.TotalSeconds} s for: {what}");
            }

            await Task.Delay(50);
        }
    }

    private static Task WaitUntilAsync(Func<bool> condition, string what) => WaitUntilAsync(() => Task.FromResult(condition()), what);
}
