using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace CriO.Storage.Metadata;

/// <summary>
/// A Go <c>time.Time</c> as containers/storage writes it (RFC 3339 with up to nine fraction
/// digits, trailing zeros dropped: "2026-11-23T18:35:27.692152094Z", "2024-03-01T12:00:00.5+02:00").
/// It keeps the text it was read from, so a record read and written back carries the same bytes:
/// .NET times hold 100 ns, Go times hold nanoseconds and the zone offset they were made with.
/// </summary>
/// <remarks>
/// Go never omits a time.Time (omitempty does not apply to structs): the zero value is written
/// as "0001-01-01T00:00:00Z", and so is <c>default(GoTimestamp)</c> here. Equality is by text.
/// </remarks>
[JsonConverter(typeof(GoTimestampJsonConverter))]
public readonly partial struct GoTimestamp : IEquatable<GoTimestamp>
{
    private const string ZeroText = "0001-01-01T00:00:00Z";

    private readonly string? _text;

    private GoTimestamp(string text)
    {
        _text = text;
    }

    /// <summary>Go's zero time, "0001-01-01T00:00:00Z".</summary>
    public static GoTimestamp Zero => default;

    /// <summary>The RFC 3339 text, as Go writes it.</summary>
    public string Text => _text ?? ZeroText;

    /// <summary>True for Go's zero time (what older records without a date read as).</summary>
    public bool IsZero => Text == ZeroText;

    /// <summary>The instant, to .NET's 100 ns (digits past the seventh are dropped), in the offset of the text.</summary>
    public DateTimeOffset Value
    {
        get
        {
            var match = Rfc3339().Match(Text);
            var fraction = match.Groups["fraction"].Value.PadRight(7, '0')[..7];
            var zone = match.Groups["zone"].Value;
            var offset = zone is "Z"
                ? TimeSpan.Zero
                : new TimeSpan(int.Parse(zone[1..3], CultureInfo.InvariantCulture), int.Parse(zone[4..6], CultureInfo.InvariantCulture), 0)
                    * (zone[0] == '-' ? -1 : 1);
            var local = DateTime.ParseExact(match.Groups["seconds"].Value, "yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture)
                .AddTicks(long.Parse(fraction, CultureInfo.InvariantCulture));
            return new DateTimeOffset(local, offset);
        }
    }

    /// <summary>Reads RFC 3339 text as Go's time.Time accepts it from JSON.</summary>
    /// <exception cref="FormatException">The text is not an RFC 3339 date and time.</exception>
    public static GoTimestamp Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!Rfc3339().IsMatch(text))
        {
            throw new FormatException($"not an RFC 3339 timestamp: \"{text}\"");
        }

        var timestamp = new GoTimestamp(text);
        try
        {
            _ = timestamp.Value; // month 13, hour 25, offset +15:00 and the like fail here
        }
        catch (ArgumentException e)
        {
            throw new FormatException($"not a valid timestamp: \"{text}\": {e.Message}", e);
        }

        return timestamp;
    }

    /// <summary>
    /// The text Go's RFC3339Nano layout gives <paramref name="value"/>: "Z" for a zero offset
    /// (Go's UTC), fraction digits without trailing zeros, no fraction for whole seconds.
    /// </summary>
    public static GoTimestamp FromDateTimeOffset(DateTimeOffset value)
    {
        var text = new StringBuilder(35);
        text.Append(value.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture));
        var ticks = value.Ticks % TimeSpan.TicksPerSecond;
        if (ticks != 0)
        {
            text.Append('.').Append((ticks * 100).ToString("D9", CultureInfo.InvariantCulture).TrimEnd('0'));
        }

        if (value.Offset == TimeSpan.Zero)
        {
            text.Append('Z');
        }
        else
        {
            var offset = value.Offset.Duration();
            text.Append(value.Offset < TimeSpan.Zero ? '-' : '+')
                .Append(offset.ToString("hh\\:mm", CultureInfo.InvariantCulture));
        }

        return new GoTimestamp(text.ToString());
    }

    public bool Equals(GoTimestamp other) => string.Equals(Text, other.Text, StringComparison.Ordinal);

    public override bool Equals(object? obj) => obj is GoTimestamp other && Equals(other);

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Text);

    public override string ToString() => Text;

    public static bool operator ==(GoTimestamp left, GoTimestamp right) => left.Equals(right);

    public static bool operator !=(GoTimestamp left, GoTimestamp right) => !left.Equals(right);

    [GeneratedRegex(@"^(?<seconds>[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2})(\.(?<fraction>[0-9]{1,9}))?(?<zone>Z|[+-][0-9]{2}:[0-5][0-9])$", RegexOptions.CultureInvariant)]
    private static partial Regex Rfc3339();
}

/// <summary>Reads and writes <see cref="GoTimestamp"/> as its text; JSON null reads as the zero time, as in Go.</summary>
internal sealed class GoTimestampJsonConverter : JsonConverter<GoTimestamp>
{
    public override bool HandleNull => true;

    public override GoTimestamp Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return GoTimestamp.Zero;
        }

        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException($"a timestamp must be a JSON string, not {reader.TokenType}");
        }

        try
        {
            return GoTimestamp.Parse(reader.GetString()!);
        }
        catch (FormatException e)
        {
            throw new JsonException(e.Message, e);
        }
    }

    public override void Write(Utf8JsonWriter writer, GoTimestamp value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(value.Text);
    }
}
