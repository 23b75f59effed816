namespace CriO.Pinns.Tests;

/// <summary>crio-pinns --remove: unmount and delete, repeatable.</summary>
public sealed class RemoveTests
{
    [Fact]
    public async Task Remove_unmounts_and_deletes_every_pin_and_can_run_again()
    {
        using var folder = new PinsFolder();
        Assert.Equal(0, (await folder.PinAsync("pod", "--net", "--ipc", "--uts")).ExitCode);
        Assert.Equal(0, (await folder.PinAsync("other", "--net")).ExitCode);

        var first = await folder.RemoveAsync("pod");
        var second = await folder.RemoveAsync("pod");

        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Equal([Path.Join("netns", "other")], folder.Files());
        Assert.Equal([folder.Pin("net", "other")], folder.PinMounts());
    }

    [Fact]
    public async Task Remove_of_pins_never_made_succeeds()
    {
        using var folder = new PinsFolder();

        var run = await folder.RemoveAsync("never-made");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Empty(folder.Entries());
    }

    [Fact]
    public async Task Remove_deletes_a_pin_file_left_unmounted()
    {
        using var folder = new PinsFolder();
        Directory.CreateDirectory(Path.Join(folder.Root, "utsns"));
        await File.WriteAllTextAsync(folder.Pin("uts", "half-made"), "");

        var run = await folder.RemoveAsync("half-made");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Empty(folder.Files());
    }
}
