using System.Text.Json;
using CriO.Cni.Config;

namespace CriO.Cni;

/// <summary>
/// Reads the CNI configurations of a folder: *.conf, *.conflist and *.json in file-name order,
/// the order that decides the default network. A file that does not parse is reported and
/// skipped, as libcni does, so one broken file does not take the node's network down.
/// </summary>
public static class NetworkConfigLoader
{
    private static readonly string[] Extensions = [".conf", ".conflist", ".json"];

    // Real configurations are a few KiB; bound what a stray file in the folder can make us read.
    private const long MaxConfigBytes = 1024 * 1024;

    public static (IReadOnlyList<NetworkConfigList> Networks, IReadOnlyList<string> Problems) LoadAll(string directory)
    {
        var networks = new List<NetworkConfigList>();
        var problems = new List<string>();
        if (!Directory.Exists(directory))
        {
            return (networks, problems);
        }

        var files = Directory.GetFiles(directory)
            .Where(f => Extensions.Contains(Path.GetExtension(f), StringComparer.Ordinal))
            .Order(StringComparer.Ordinal);
        foreach (var file in files)
        {
            try
            {
                networks.Add(Load(file));
            }
            catch (Exception e) when (e is JsonException or InvalidDataException or IOException or UnauthorizedAccessException)
            {
                problems.Add($"{file}: {e.Message}");
            }
        }

        return (networks, problems);
    }

    /// <summary>Loads one configuration file (a list, or one plugin promoted to a list of one).</summary>
    /// <exception cref="JsonException">Not JSON.</exception>
    /// <exception cref="InvalidDataException">Too large, or not a network configuration.</exception>
    public static NetworkConfigList Load(string path) => NetworkDefinition.Parse(ReadBounded(path)).ToConfigList(path);

    /// <summary>The file's bytes, refusing more than a configuration can reasonably be.</summary>
    internal static byte[] ReadBounded(string path)
    {
        if (new FileInfo(path).Length > MaxConfigBytes)
        {
            throw new InvalidDataException($"larger than {MaxConfigBytes} bytes");
        }

        return File.ReadAllBytes(path);
    }
}
