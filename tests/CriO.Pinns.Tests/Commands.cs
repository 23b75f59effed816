using CriO.Tests.Shared;

namespace CriO.Pinns.Tests;

/// <summary>Independent tools (util-linux nsenter, iproute2, coreutils) that check what pinns made.</summary>
internal static class Commands
{
    /// <summary>Runs a program that must succeed; its stdout.</summary>
    public static async Task<string> RunAsync(string program, params string[] arguments)
    {
        var (exitCode, output, errors) = await ChildProcess.RunAsync(program, arguments, timeout: TimeSpan.FromSeconds(20));
        Assert.True(exitCode == 0, $"{program} {string.Join(' ', arguments)}: exit {exitCode}: {errors}");
        return output;
    }

    /// <summary>The namespace a pin holds, as /proc names it: "net:[4026532179]" (its nsfs inode).</summary>
    public static async Task<string> PinnedNamespaceAsync(string kind, string pin) =>
        $"{kind}:[{(await RunAsync("stat", "--format=%i", pin)).Trim()}]";
}
