using System.Text.Json;

namespace CriO.Storage.Metadata;

/// <summary>Shared JSON values for flag maps.</summary>
internal static class JsonValues
{
    public static readonly JsonElement True = Parse("true");

    public static JsonElement Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
