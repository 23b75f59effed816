using System.Text.Json;

namespace CriO.Server.Streaming;

/// <summary>A resize message of the channel protocols (channel 4): <c>{"Width": W, "Height": H}</c>.</summary>
internal readonly record struct TerminalSize(ushort Width, ushort Height)
{
    /// <summary>The size in <paramref name="json"/>; null when it is not one.</summary>
    public static TerminalSize? Parse(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json);
            ushort? width = null, height = null;
            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.PropertyName)
                {
                    var name = reader.GetString();
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.Number && reader.TryGetUInt16(out var value))
                    {
                        if (name == "Width")
                        {
                            width = value;
                        }
                        else if (name == "Height")
                        {
                            height = value;
                        }
                    }
                }
            }

            return width is { } w && height is { } h ? new TerminalSize(w, h) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
