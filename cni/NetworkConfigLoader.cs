using System.Text.Json;

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

    public static NetworkConfigList Load(string path)
    {
        if (new FileInfo(path).Length > MaxConfigBytes)
        {
            throw new InvalidDataException($"larger than {MaxConfigBytes} bytes");
        }

        using var document = JsonDocument.Parse(File.ReadAllBytes(path));
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidDataException("not a JSON object");
        }

        var name = RequiredString(root, "name");
        var version = root.TryGetProperty("cniVersion", out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : "";
        var types = new List<string>();
        if (root.TryGetProperty("plugins", out var plugins))
        {
            if (plugins.ValueKind != JsonValueKind.Array || plugins.GetArrayLength() == 0)
            {
                throw new InvalidDataException("\"plugins\" must be a non-empty array");
            }

            foreach (var plugin in plugins.EnumerateArray())
            {
                types.Add(RequiredString(plugin, "type"));
            }
        }
        else
        {
            types.Add(RequiredString(root, "type"));
        }

        return new NetworkConfigList(name, version, types, path);
    }

    private static string RequiredString(JsonElement element, string property)
    {
        if (element.ValueKind != JsonValueKind.Object
            || !element.TryGetProperty(property, out var value)
            || value.ValueKind != JsonValueKind.String
            || string.IsNullOrEmpty(value.GetString()))
        {
            throw new InvalidDataException($"missing \"{property}\"");
        }

        return value.GetString()!;
    }
}
