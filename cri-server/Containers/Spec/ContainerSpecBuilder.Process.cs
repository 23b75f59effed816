using CriO.Oci.Spec;
using CriO.Server.Errors;

namespace CriO.Server.Containers.Spec;

public static partial class ContainerSpecBuilder
{
    /// <summary>What a container gets when neither the image nor the kubelet sets PATH (Docker's default).</summary>
    public const string DefaultPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /// <summary>
    /// The command line, the kubelet's way (and Docker's): CRI command replaces the image's
    /// Entrypoint and CRI args replace its Cmd; a command without args drops the image's Cmd too.
    /// </summary>
    public static List<string> ResolveArgs(IReadOnlyList<string> command, IReadOnlyList<string> args, IReadOnlyList<string>? entrypoint, IReadOnlyList<string>? cmd)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(args);
        List<string> result = command.Count > 0 ? [.. command] : [.. entrypoint ?? []];
        if (args.Count > 0)
        {
            result.AddRange(args);
        }
        else if (command.Count == 0)
        {
            result.AddRange(cmd ?? []);
        }

        if (result.Count == 0)
        {
            throw new InvalidArgumentException("no command specified: the container config has no command or args and the image no Entrypoint or Cmd");
        }

        return result;
    }

    /// <summary>The image's Env, then the kubelet's envs (the kubelet wins a key), PATH if none, HOSTNAME.</summary>
    public static List<string> MergeEnv(IReadOnlyList<string>? imageEnv, IEnumerable<KeyValuePair<string, string>> criEnv, string hostname)
    {
        ArgumentNullException.ThrowIfNull(criEnv);
        var order = new List<string>();
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        void Set(string key, string entry)
        {
            if (!values.ContainsKey(key))
            {
                order.Add(key);
            }

            values[key] = entry;
        }

        foreach (var entry in imageEnv ?? [])
        {
            var equals = entry.IndexOf('=', StringComparison.Ordinal);
            Set(equals < 0 ? entry : entry[..equals], equals < 0 ? entry + "=" : entry);
        }

        foreach (var (key, value) in criEnv)
        {
            if (key.Length == 0 || key.Contains('=', StringComparison.Ordinal))
            {
                throw new InvalidArgumentException($"envs: \"{key}\" is not a valid variable name");
            }

            Set(key, key + "=" + value);
        }

        if (!values.ContainsKey("PATH"))
        {
            Set("PATH", DefaultPath);
        }

        if (hostname.Length > 0)
        {
            Set("HOSTNAME", "HOSTNAME=" + hostname);
        }

        return [.. order.Select(k => values[k])];
    }

    private static void BuildProcess(ContainerSpecInput input, ProcessSpec process)
    {
        var config = input.Config;
        var image = input.Image?.Config;
        process.Args = ResolveArgs(config.Command, config.Args, image?.Entrypoint, image?.Cmd);
        process.Env = MergeEnv(image?.Env, config.Envs.Select(e => KeyValuePair.Create(e.Key, e.Value)), input.Pod.Hostname);
        if (config.Tty && !process.Env.Any(e => e.StartsWith("TERM=", StringComparison.Ordinal)))
        {
            process.Env.Add("TERM=xterm");
        }

        var cwd = config.WorkingDir.Length > 0 ? config.WorkingDir : image?.WorkingDir is { Length: > 0 } w ? w : "/";
        if (!cwd.StartsWith('/'))
        {
            throw new InvalidArgumentException($"working_dir \"{cwd}\" is not an absolute path");
        }

        process.Cwd = cwd;
        process.Terminal = config.Tty;
        process.NoNewPrivileges = config.Linux?.SecurityContext?.NoNewPrivs ?? false;
        var oomScoreAdj = config.Linux?.Resources?.OomScoreAdj ?? 0;
        if (oomScoreAdj is < -1000 or > 1000)
        {
            throw new InvalidArgumentException($"linux.resources.oom_score_adj {oomScoreAdj} is outside -1000..1000");
        }

        process.OomScoreAdj = config.Linux?.Resources is null ? null : (int)oomScoreAdj;
    }
}
