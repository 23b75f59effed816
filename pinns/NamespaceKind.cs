using static Tmds.Linux.LibC;

namespace CriO.Pinns;

/// <summary>A kind of namespace pinns pins: net, ipc or uts.</summary>
/// <param name="Name">The name in /proc/thread-self/ns/ and the key in the JSON answer: "net".</param>
/// <param name="Option">The command-line flag that asks for it: "--net".</param>
internal sealed record NamespaceKind(string Name, string Option)
{
    public static NamespaceKind Net { get; } = new("net", "--net");

    public static NamespaceKind Ipc { get; } = new("ipc", "--ipc");

    public static NamespaceKind Uts { get; } = new("uts", "--uts");

    /// <summary>Every kind, in the order pins are made, reported and removed.</summary>
    public static IReadOnlyList<NamespaceKind> All { get; } = [Net, Ipc, Uts];

    /// <summary>The folder below --dir that holds this kind's pins, as CRI-O lays them out: "netns".</summary>
    public string Folder => Name + "ns";

    /// <summary>The unshare(2) flag: CLONE_NEWNET, CLONE_NEWIPC or CLONE_NEWUTS.</summary>
    public int CloneFlag => Name switch
    {
        "net" => CLONE_NEWNET,
        "ipc" => CLONE_NEWIPC,
        _ => CLONE_NEWUTS,
    };

    /// <summary>The calling thread's namespace of this kind; the source of the bind mount.</summary>
    public string ThreadNamespacePath => "/proc/thread-self/ns/" + Name;

    /// <summary>The pin of this kind named <paramref name="file"/> below <paramref name="directory"/>: DIR/netns/NAME.</summary>
    public string PinPath(string directory, string file) => Path.Join(directory, Folder, file);
}
