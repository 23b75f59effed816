using System.Globalization;
using System.Text;
using System.Text.Json;
using Tomlyn.Model;

namespace CriO.Server.Config;

/// <summary>
/// How one kind of value is read from TOML and from flags, and written back as TOML and JSON.
/// Reading and writing live together so that `crio config` prints exactly what the loader reads.
/// </summary>
public abstract class ConfigValueType<T>
{
    public abstract T FromToml(object value);

    public abstract T FromFlag(IReadOnlyList<string> values);

    public abstract void WriteToml(StringBuilder output, T value);

    public abstract void WriteJson(Utf8JsonWriter output, T value);
}

/// <summary>The value types CRI-O's keys use.</summary>
public static class ConfigValueTypes
{
    public static ConfigValueType<string> Text { get; } = new TextType();
    public static ConfigValueType<bool> Boolean { get; } = new BooleanType();
    public static ConfigValueType<long> Integer { get; } = new IntegerType();
    public static ConfigValueType<IReadOnlyList<string>> TextList { get; } = new TextListType();

    private static string TypeName(object value) => value switch
    {
        string => "a string",
        long => "an integer",
        double => "a float",
        bool => "a boolean",
        TomlArray => "an array",
        TomlTable => "a table",
        _ => "a date/time",
    };

    private sealed class TextType : ConfigValueType<string>
    {
        public override string FromToml(object value) =>
            value as string ?? throw new ConfigValueException($"expected a string, found {TypeName(value)}");

        public override string FromFlag(IReadOnlyList<string> values) => values[^1];

        public override void WriteToml(StringBuilder output, string value) => TomlText.AppendQuoted(output, value);

        public override void WriteJson(Utf8JsonWriter output, string value) => output.WriteStringValue(value);
    }

    private sealed class BooleanType : ConfigValueType<bool>
    {
        public override bool FromToml(object value) =>
            value is bool b ? b : throw new ConfigValueException($"expected a boolean, found {TypeName(value)}");

        public override bool FromFlag(IReadOnlyList<string> values) => values[^1] switch
        {
            "true" or "1" => true,
            "false" or "0" => false,
            var other => throw new ConfigValueException($"expected true or false, found \"{other}\""),
        };

        public override void WriteToml(StringBuilder output, bool value) => output.Append(value ? "true" : "false");

        public override void WriteJson(Utf8JsonWriter output, bool value) => output.WriteBooleanValue(value);
    }

    private sealed class IntegerType : ConfigValueType<long>
    {
        public override long FromToml(object value) =>
            value is long n ? n : throw new ConfigValueException($"expected an integer, found {TypeName(value)}");

        public override long FromFlag(IReadOnlyList<string> values) =>
            long.TryParse(values[^1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n)
                ? n
                : throw new ConfigValueException($"expected an integer, found \"{values[^1]}\"");

        public override void WriteToml(StringBuilder output, long value) =>
            output.Append(value.ToString(CultureInfo.InvariantCulture));

        public override void WriteJson(Utf8JsonWriter output, long value) => output.WriteNumberValue(value);
    }

    private sealed class TextListType : ConfigValueType<IReadOnlyList<string>>
    {
        public override IReadOnlyList<string> FromToml(object value)
        {
            if (value is not TomlArray array)
            {
                throw new ConfigValueException($"expected an array of strings, found {TypeName(value)}");
            }

            var items = new List<string>(array.Count);
            foreach (var item in array)
            {
                items.Add(item as string ?? throw new ConfigValueException(
                    $"expected an array of strings, found {(item is null ? "an empty item" : TypeName(item))} in it"));
            }

            return items;
        }

        // A repeated flag adds items, and each occurrence may itself be a comma-separated list,
        // the way CRI-O's string-slice flags behave.
        public override IReadOnlyList<string> FromFlag(IReadOnlyList<string> values) =>
            [.. values.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))];

        public override void WriteToml(StringBuilder output, IReadOnlyList<string> value)
        {
            output.Append('[');
            for (var i = 0; i < value.Count; i++)
            {
                if (i > 0)
                {
                    output.Append(", ");
                }

                TomlText.AppendQuoted(output, value[i]);
            }

            output.Append(']');
        }

        public override void WriteJson(Utf8JsonWriter output, IReadOnlyList<string> value)
        {
            output.WriteStartArray();
            foreach (var item in value)
            {
                output.WriteStringValue(item);
            }

            output.WriteEndArray();
        }
    }
}
