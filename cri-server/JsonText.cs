using System.Text;
using System.Text.Json;

namespace CriO.Server;

/// <summary>Small JSON documents for verbose info maps, written without reflection (NativeAOT).</summary>
public static class JsonText
{
    public static string Object(params (string Name, string Value)[] properties)
    {
        ArgumentNullException.ThrowIfNull(properties);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            foreach (var (name, value) in properties)
            {
                json.WriteString(name, value);
            }

            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
