using System.Text.Json;

namespace CriO.Registry.Fixture;

/// <summary>Small JSON documents written directly (no reflection, no models).</summary>
internal static class JsonBytes
{
    /// <summary>The UTF-8 bytes of one JSON object whose members <paramref name="write"/> writes.</summary>
    public static byte[] Object(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>A distribution-spec error body: <c>{"errors":[{"code","message"}]}</c>.</summary>
    public static byte[] Error(string code, string message) => Object(w =>
    {
        w.WriteStartArray("errors");
        w.WriteStartObject();
        w.WriteString("code", code);
        w.WriteString("message", message);
        w.WriteEndObject();
        w.WriteEndArray();
    });
}
