using System.Text;

namespace CriO.Server.Config;

/// <summary>What a SIGHUP changed: the configuration to run with, and what was applied or needs a restart.</summary>
public sealed record ConfigReloadResult(CrioConfig Config, IReadOnlyList<string> Applied, IReadOnlyList<string> NeedRestart);

/// <summary>
/// Applies a re-read configuration to a running daemon the way CRI-O does on SIGHUP: only the
/// keys that can change under running pods take effect (log level and filter, the pause image,
/// pinned images, the signature policy, the default runtime, new or changed runtime handlers);
/// every other changed key is reported and waits for a restart, because the daemon has already
/// built its store, sockets and folders from it. A handler removed from the files stays until
/// a restart: containers created with it must still be stoppable and removable.
/// </summary>
public static class ConfigReload
{
    public static readonly IReadOnlySet<string> LiveKeys = new HashSet<string>(StringComparer.Ordinal)
    {
        "crio.runtime.log_level",
        "crio.runtime.log_filter",
        "crio.runtime.default_runtime",
        "crio.image.pause_image",
        "crio.image.pause_image_auth_file",
        "crio.image.pause_command",
        "crio.image.pinned_images",
        "crio.image.signature_policy",
    };

    public static ConfigReloadResult Apply(CrioConfig running, CrioConfig reloaded)
    {
        ArgumentNullException.ThrowIfNull(running);
        ArgumentNullException.ThrowIfNull(reloaded);
        var applied = new List<string>();
        var needRestart = new List<string>();
        var changes = new StringBuilder();
        foreach (var table in ConfigSchema.Tables)
        {
            var liveChanges = new StringBuilder();
            foreach (var key in table.Keys)
            {
                var dotted = $"{table.Name}.{key.Name}";
                var value = TomlValue(key, reloaded);
                if (value == TomlValue(key, running))
                {
                    continue;
                }

                if (LiveKeys.Contains(dotted))
                {
                    liveChanges.Append(key.Name).Append(" = ").Append(value).Append('\n');
                    applied.Add(dotted);
                }
                else
                {
                    needRestart.Add(dotted);
                }
            }

            if (liveChanges.Length > 0)
            {
                changes.Append('[').Append(table.Name).Append("]\n").Append(liveChanges);
            }
        }

        foreach (var (name, handler) in reloaded.Runtime.Runtimes)
        {
            var table = HandlerToml(handler);
            var known = running.Runtime.Runtimes.TryGetValue(name, out var current);
            if (known && HandlerToml(current!) == table)
            {
                continue;
            }

            changes.Append('[').Append(ConfigSchema.RuntimesTable).Append('.').Append(TomlText.Key(name)).Append("]\n").Append(table);
            applied.Add($"{ConfigSchema.RuntimesTable}.{name} ({(known ? "changed" : "added")})");
        }

        needRestart.AddRange(running.Runtime.Runtimes.Keys
            .Where(name => !reloaded.Runtime.Runtimes.ContainsKey(name))
            .Select(name => $"{ConfigSchema.RuntimesTable}.{name} (removed: kept until a restart)"));

        // The running configuration, copied through its own TOML (which loads back unchanged),
        // with the live changes laid over it.
        var next = new CrioConfig();
        var ignored = new List<ConfigWarning>();
        ConfigLoader.ApplyText(next, ConfigPrinter.ToToml(running), "running configuration", ignored);
        ConfigLoader.ApplyText(next, changes.ToString(), "reloaded configuration", ignored);
        return new ConfigReloadResult(next, applied, needRestart);
    }

    private static string TomlValue(ConfigKey<CrioConfig> key, CrioConfig config)
    {
        var value = new StringBuilder();
        key.WriteToml(config, value);
        return value.ToString();
    }

    private static string HandlerToml(RuntimeHandlerSettings handler)
    {
        var table = new StringBuilder();
        foreach (var key in ConfigSchema.RuntimeHandlerKeys)
        {
            table.Append(key.Name).Append(" = ");
            key.WriteToml(handler, table);
            table.Append('\n');
        }

        return table.ToString();
    }
}
