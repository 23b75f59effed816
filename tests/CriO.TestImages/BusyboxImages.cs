namespace CriO.TestImages;

/// <summary>
/// The standard test images, all made from Debian's busybox-static (/bin/busybox): a static
/// binary, so the image runs on any kernel with no libraries. Nothing is downloaded.
/// </summary>
public static class BusyboxImages
{
    public const string BusyboxPath = "/bin/busybox";

    // The applets the tests use; each is a symlink to busybox, as busybox --install -s makes them.
    private static readonly string[] Applets =
    [
        "sh", "ls", "cat", "echo", "id", "sleep", "env", "ps", "grep", "head", "tail", "wc", "dd",
        "mkdir", "rm", "touch", "stat", "stty", "httpd", "wget", "nc", "ip", "hostname", "true", "false",
        "test", "uname", "yes", "sync", "kill", "mount", "df", "sysctl", "nslookup", "printf", "tr", "seq", "unshare", "readlink",
    ];

    /// <summary>Three layers: the filesystem skeleton, busybox with its applets, then users and groups.</summary>
    public static TestImage Busybox() => new()
    {
        Layers = [Skeleton(), Binaries(), Accounts()],
        Cmd = ["/bin/sh"],
    };

    /// <summary>Busybox whose config runs as a named user from its own /etc/passwd.</summary>
    public static TestImage WithUser(string user = "app") => Busybox() with { User = user };

    public static TestLayer Skeleton()
    {
        var layer = new TestLayer();
        foreach (var directory in new[] { "bin", "etc", "home", "root", "tmp", "usr", "usr/bin", "var", "dev", "proc", "sys" })
        {
            layer.Directory(directory, directory == "tmp" ? (UnixFileMode)0b1_111_111_111 : (UnixFileMode)0b111_101_101);
        }

        return layer;
    }

    public static TestLayer Binaries()
    {
        var layer = new TestLayer().HostFile("bin/busybox", BusyboxPath);
        foreach (var applet in Applets)
        {
            layer.Symlink($"bin/{applet}", "busybox");
        }

        return layer;
    }

    public static TestLayer Accounts() => new TestLayer()
        .File("etc/passwd", "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n")
        .File("etc/group", "root:x:0:\napp:x:1000:\nextra:x:2000:app\nnogroup:x:65534:\n")
        .Directory("home/app", uid: 1000, gid: 1000)
        .File("home/app/.profile", "export PS1='$ '\n", uid: 1000, gid: 1000);
}
