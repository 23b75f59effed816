using System.Formats.Tar;
using CriO.TestImages;

namespace CriO.Bench.Sandbox;

/// <summary>
/// The pod infra ("pause") image both runtimes get, built here from Debian's busybox-static so
/// nothing is pulled: busybox and its applets, and a /pause script that sleeps until SIGTERM
/// or SIGINT ends it (exit 0), as the real pause does. Packed as an oci-archive that both
/// `ctr images import` and `crio storage import` read.
/// </summary>
internal static class PauseImage
{
    public const string Name = "localhost/crio-bench/pause:1";
    public const string Command = "/pause";

    // PID 1 gets no default signal actions, so the trap is what makes SIGTERM end it.
    private const string Script = """
        #!/bin/sh
        trap 'exit 0' TERM INT
        while :; do sleep 2147483647 & wait $!; done

        """;

    /// <summary>Writes the image as an oci-archive under <paramref name="folder"/> and returns its path.</summary>
    public static string WriteArchive(string folder)
    {
        if (!File.Exists(BusyboxImages.BusyboxPath))
        {
            throw new InvalidOperationException($"{BusyboxImages.BusyboxPath} not found: apt-get install busybox-static");
        }

        var layoutFolder = Path.Join(folder, "pause-layout");
        var layout = new OciLayout(layoutFolder);
        var pause = new TestLayer().File(Command.TrimStart('/'), Script, (UnixFileMode)0b111_101_101);
        layout.AddImage(
            new TestImage
            {
                Layers = [BusyboxImages.Skeleton(), BusyboxImages.Binaries(), pause],
                Entrypoint = [Command],
                Cmd = [],
                Architecture = Architecture(),
            },
            refName: Name);

        var archive = Path.Join(folder, "pause.oci.tar");
        TarFile.CreateFromDirectory(layoutFolder, archive, includeBaseDirectory: false);
        Directory.Delete(layoutFolder, recursive: true);
        return archive;
    }

    private static string Architecture() => System.Runtime.InteropServices.RuntimeInformation.OSArchitecture switch
    {
        System.Runtime.InteropServices.Architecture.X64 => "amd64",
        System.Runtime.InteropServices.Architecture.Arm64 => "arm64",
        var other => throw new PlatformNotSupportedException($"no image architecture name for {other}"),
    };
}
