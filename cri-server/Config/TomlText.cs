using System.Globalization;
using System.Text;

namespace CriO.Server.Config;

/// <summary>TOML basic-string quoting, for writing the configuration back out.</summary>
public static class TomlText
{
    public static void AppendQuoted(StringBuilder output, string value)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(value);
        output.Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': output.Append("\\\""); break;
                case '\\': output.Append("\\\\"); break;
                case '\b': output.Append("\\b"); break;
                case '\t': output.Append("\\t"); break;
                case '\n': output.Append("\\n"); break;
                case '\f': output.Append("\\f"); break;
                case '\r': output.Append("\\r"); break;
                default:
                    // TOML forbids other control characters in basic strings.
                    if (char.IsControl(c))
                    {
                        output.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        output.Append(c);
                    }

                    break;
            }
        }

        output.Append('"');
    }

    /// <summary>A table-name segment: bare when TOML allows it, quoted otherwise.</summary>
    public static string Key(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length > 0 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            return name;
        }

        var quoted = new StringBuilder();
        AppendQuoted(quoted, name);
        return quoted.ToString();
    }
}
