using System.Text;
using System.Text.Json;

namespace CriO.Server.Config;

/// <summary>
/// Writes the effective configuration back out: as TOML for `crio config` (which `crio` reads
/// back to the same configuration) and as JSON for the Status RPC's verbose info.
/// </summary>
public static class ConfigPrinter
{
    public static string ToToml(CrioConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var output = new StringBuilder();
        output.Append("# CriO configuration, as `crio config` printed it: every key with its effective value.\n");
        output.Append("# Keys and tables are CRI-O's; drop-ins in /etc/crio/crio.conf.d/*.conf override this file.\n");
        foreach (var table in ConfigSchema.Tables)
        {
            output.Append("\n# ").Append(table.Description).Append('\n');
            output.Append('[').Append(table.Name).Append("]\n");
            AppendKeys(output, config, table.Keys);
            if (table.Name == "crio.runtime")
            {
                foreach (var (name, handler) in config.Runtime.Runtimes)
                {
                    output.Append("\n[").Append(ConfigSchema.RuntimesTable).Append('.').Append(TomlText.Key(name)).Append("]\n");
                    AppendKeys(output, handler, ConfigSchema.RuntimeHandlerKeys);
                }
            }
        }

        return output.ToString();
    }

    public static string ToJson(CrioConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            foreach (var table in ConfigSchema.Tables)
            {
                json.WriteStartObject(table.Name);
                WriteJsonKeys(json, config, table.Keys);
                json.WriteEndObject();
            }

            json.WriteStartObject(ConfigSchema.RuntimesTable);
            foreach (var (name, handler) in config.Runtime.Runtimes)
            {
                json.WriteStartObject(name);
                WriteJsonKeys(json, handler, ConfigSchema.RuntimeHandlerKeys);
                json.WriteEndObject();
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void AppendKeys<TOwner>(StringBuilder output, TOwner owner, IReadOnlyList<ConfigKey<TOwner>> keys)
    {
        foreach (var key in keys)
        {
            output.Append("# ").Append(key.Description).Append('\n');
            output.Append(key.Name).Append(" = ");
            key.WriteToml(owner, output);
            output.Append('\n');
        }
    }

    private static void WriteJsonKeys<TOwner>(Utf8JsonWriter json, TOwner owner, IReadOnlyList<ConfigKey<TOwner>> keys)
    {
        foreach (var key in keys)
        {
            json.WritePropertyName(key.Name);
            key.WriteJson(owner, json);
        }
    }
}
