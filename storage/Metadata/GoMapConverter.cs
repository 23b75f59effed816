using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace CriO.Storage.Metadata;

/// <summary>
/// A JSON object with string keys, written with its keys sorted as Go sorts map keys (by
/// their UTF-8 bytes, which is code point order), whatever order the dictionary holds them in.
/// </summary>
/// <typeparam name="TValue">A value type registered in <see cref="StoreJsonContext"/>.</typeparam>
internal sealed class GoMapConverter<TValue> : JsonConverter<Dictionary<string, TValue>>
{
    public override Dictionary<string, TValue>? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException($"expected a JSON object, not {reader.TokenType}");
        }

        var valueInfo = ValueInfo(options);
        var map = new Dictionary<string, TValue>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var key = reader.GetString()!;
            reader.Read();
            map[key] = JsonSerializer.Deserialize(ref reader, valueInfo)!; // a repeated key: the last wins, as in Go
        }

        return map;
    }

    public override void Write(Utf8JsonWriter writer, Dictionary<string, TValue> value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        var valueInfo = ValueInfo(options);
        var keys = value.Keys.ToArray();
        Array.Sort(keys, CodePointComparer.Instance);
        writer.WriteStartObject();
        foreach (var key in keys)
        {
            writer.WritePropertyName(key);
            JsonSerializer.Serialize(writer, value[key], valueInfo);
        }

        writer.WriteEndObject();
    }

    private static JsonTypeInfo<TValue> ValueInfo(JsonSerializerOptions options) =>
        (JsonTypeInfo<TValue>)options.GetTypeInfo(typeof(TValue));
}

/// <summary>Orders strings by Unicode code point, which is the order of their UTF-8 bytes (Go's string order).</summary>
internal sealed class CodePointComparer : IComparer<string>
{
    public static readonly CodePointComparer Instance = new();

    public int Compare(string? x, string? y)
    {
        if (x is null || y is null)
        {
            return x is null ? (y is null ? 0 : -1) : 1;
        }

        var length = Math.Min(x.Length, y.Length);
        for (var i = 0; i < length; i++)
        {
            if (x[i] != y[i])
            {
                return Rank(x[i]) - Rank(y[i]);
            }
        }

        return x.Length - y.Length;
    }

    // UTF-16 to code point order: surrogates (code points from U+10000) go after U+E000..U+FFFF.
    private static int Rank(char c) => c >= 0xE000 ? c - 0x800 : char.IsSurrogate(c) ? c + 0x2000 : c;
}
