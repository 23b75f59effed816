using Tomlyn.Model;

namespace CriO.Image.Registries;

/// <summary>
/// Typed reads of a Tomlyn table value (string, bool, long, double, TomlArray, TomlTable,
/// TomlTableArray) that fail with the file, the key, and what was found instead.
/// </summary>
internal static class TomlValues
{
    public static string Text(string source, string key, object? value) =>
        value as string ?? throw WrongType(source, key, "a string", value);

    public static bool Flag(string source, string key, object? value) =>
        value is bool b ? b : throw WrongType(source, key, "true or false", value);

    public static List<string> Strings(string source, string key, object? value)
    {
        if (value is not TomlArray array)
        {
            throw WrongType(source, key, "an array of strings", value);
        }

        var result = new List<string>(array.Count);
        for (var i = 0; i < array.Count; i++)
        {
            result.Add(array[i] as string ?? throw WrongType(source, $"{key}[{i}]", "a string", array[i]));
        }

        return result;
    }

    public static TomlTable Table(string source, string key, object? value) =>
        value as TomlTable ?? throw WrongType(source, key, "a table", value);

    // [[x]] headers and x = [{...}] inline arrays are the same TOML value; accept both.
    public static IEnumerable<TomlTable> Tables(string source, string key, object? value) => value switch
    {
        TomlTableArray tables => tables,
        TomlArray array => array.Select((item, i) => item as TomlTable ?? throw WrongType(source, $"{key}[{i}]", "a table", item)).ToList(),
        _ => throw WrongType(source, key, "an array of tables", value),
    };

    public static RegistriesConfigException WrongType(string source, string key, string expected, object? actual) =>
        new(source, key, $"expected {expected}, found {Describe(actual)}");

    private static string Describe(object? value) => value switch
    {
        null => "nothing",
        string s => $"the string \"{s}\"",
        bool b => b ? "true" : "false",
        long or double => $"the number {value}",
        TomlTableArray => "an array of tables",
        TomlArray => "an array",
        TomlTable => "a table",
        _ => $"a {value.GetType().Name}",
    };
}
