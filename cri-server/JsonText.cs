using System.Text;
using System.Text.Json;

namespace CriO.Server;

/// <summary>Small JSON documents for verbose info maps, written without reflection (NativeAOT).</summary>
public static class JsonText
{
    public static string Object(params (string Name, string Value)[] properties)
    {
        ArgumentNullException.ThrowIfNull(properties);
        return Object(json =>
        {
            foreach (var (name, value) in properties)
            {
                json.WriteString(name, value);
            }
        });
    }

    /// <summary>A JSON object whose properties <paramref name="writeProperties"/> writes.</summary>
    public static string Object(Action<Utf8JsonWriter> writeProperties)
    {
        ArgumentNullException.ThrowIfNull(writeProperties);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            writeProperties(json);
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
