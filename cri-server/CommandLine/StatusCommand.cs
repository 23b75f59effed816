using System.CommandLine;
using System.Net.Sockets;
using System.Text.Json;
using CriO.Server.Config;
using CriO.Server.Inspect;

namespace CriO.Server.CommandLine;

/// <summary>
/// `crio status`: CRI-O's status tool, asking a running daemon over its socket for the
/// configuration in force (`config`), storage and cgroup facts (`info`) and one container's
/// details (`containers --id`).
/// </summary>
internal static class StatusCommand
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public static Command Create(Func<ParseResult, ConfigSources> sources)
    {
        var socket = new Option<string>("--socket", "-s")
        {
            Description = "The daemon's unix socket (default: the configuration's listen, /var/run/crio/crio.sock).",
            Recursive = true,
        };
        var status = new Command("status", "Ask a running crio for its configuration, info, or a container's details.");
        status.Options.Add(socket);

        var config = new Command("config", "Show the configuration in force, as TOML.");
        config.Aliases.Add("c");
        config.SetAction((parsed, cancellationToken) => AskAsync(parsed, sources, socket, InspectApi.ConfigPath, pretty: false, cancellationToken));
        status.Subcommands.Add(config);

        var info = new Command("info", "Show storage and cgroup information.");
        info.Aliases.Add("i");
        info.SetAction((parsed, cancellationToken) => AskAsync(parsed, sources, socket, InspectApi.InfoPath, pretty: true, cancellationToken));
        status.Subcommands.Add(info);

        var id = new Option<string>("--id", "-i") { Description = "The container's ID (or a unique prefix).", Required = true };
        var containers = new Command("containers", "Show one container's details.") { id };
        foreach (var alias in new[] { "container", "cs", "s" })
        {
            containers.Aliases.Add(alias);
        }

        containers.SetAction((parsed, cancellationToken) =>
            AskAsync(parsed, sources, socket, $"{InspectApi.ContainersPath}/{Uri.EscapeDataString(parsed.GetValue(id)!)}", pretty: true, cancellationToken));
        status.Subcommands.Add(containers);
        return status;
    }

    private static async Task<int> AskAsync(ParseResult parsed, Func<ParseResult, ConfigSources> sources, Option<string> socketOption, string path, bool pretty, CancellationToken cancellationToken)
    {
        var socket = parsed.GetValue(socketOption);
        if (string.IsNullOrEmpty(socket))
        {
            try
            {
                socket = ConfigLoader.Load(sources(parsed)).Config.Api.Listen;
            }
            catch (ConfigException e)
            {
                await Console.Error.WriteLineAsync($"crio: invalid configuration: {e.Message}").ConfigureAwait(false);
                return 1;
            }
        }

        try
        {
            using var client = new InspectClient(socket, Timeout);
            var body = await client.GetAsync(path, cancellationToken).ConfigureAwait(false);
            await Console.Out.WriteLineAsync(pretty ? Indented(body) : body.TrimEnd('\n')).ConfigureAwait(false);
            return 0;
        }
        catch (HttpRequestException e) when (e.InnerException is SocketException unreachable)
        {
            await Console.Error.WriteLineAsync($"crio status: cannot reach crio on {socket}: {unreachable.Message}").ConfigureAwait(false);
            return 1;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
        {
            await Console.Error.WriteLineAsync($"crio status: {e.Message}").ConfigureAwait(false);
            return 1;
        }
    }

    private static string Indented(string json)
    {
        using var document = JsonDocument.Parse(json);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            document.WriteTo(writer);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }
}
