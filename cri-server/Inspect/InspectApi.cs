using System.Text.Json;
using CriO.Server.Config;
using CriO.Server.Containers;
using CriO.Server.Daemon;
using CriO.Server.Sandbox;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace CriO.Server.Inspect;

/// <summary>
/// CRI-O's inspect API on the CRI socket, which `crio status` and operators' curl read: GET
/// /info (storage and cgroup driver), /config (the configuration in force, as TOML) and
/// /containers/ID. It answers only on the CRI socket (mode 0660), never on the streaming or
/// metrics listeners, which may face the network.
/// </summary>
public static class InspectApi
{
    public const string InfoPath = "/info";
    public const string ConfigPath = "/config";
    public const string ContainersPath = "/containers";

    public static void Map(WebApplication app, ListenerMark socket)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(socket);
        app.MapGet(InfoPath, (HttpContext context, DaemonState daemon) =>
            OnCriSocket(context, socket, () => Results.Text(Info(daemon.Config), "application/json")));
        app.MapGet(ConfigPath, (HttpContext context, DaemonState daemon) =>
            OnCriSocket(context, socket, () => Results.Text(ConfigPrinter.ToToml(daemon.Config), "application/toml")));
        app.MapGet(ContainersPath + "/{id}", (HttpContext context, string id, ContainerStore containers, SandboxStore pods) =>
            OnCriSocket(context, socket, () => ContainerResult(id, containers, pods)));
    }

    private static IResult OnCriSocket(HttpContext context, ListenerMark socket, Func<IResult> answer) =>
        socket.IsOn(context) ? answer() : Results.NotFound();

    /// <summary>CRI-O's /info document: its field names, which tools parse.</summary>
    public static string Info(CrioConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return JsonText.Object(json =>
        {
            json.WriteString("storage_driver", config.StorageDriver);
            json.WriteString("storage_image", "");
            json.WriteString("storage_root", config.Root);
            json.WriteString("cgroup_driver", config.Runtime.CgroupManager);
            json.WriteStartObject("default_id_mappings");
            json.WriteNull("uids");
            json.WriteNull("gids");
            json.WriteEndObject();
        });
    }

    private static IResult ContainerResult(string id, ContainerStore containers, SandboxStore pods)
    {
        Container? container;
        try
        {
            container = containers.Find(id);
        }
        catch (Errors.CriException e)
        {
            return Results.Text(e.Message, statusCode: StatusCodes.Status400BadRequest);
        }

        if (container is null)
        {
            return Results.Text($"can't find the container with id {id}", statusCode: StatusCodes.Status404NotFound);
        }

        var pod = pods.Find(container.Record.PodId);
        return Results.Text(ContainerInfo(container, pod), "application/json");
    }

    /// <summary>CRI-O's /containers/ID document.</summary>
    public static string ContainerInfo(Container container, PodSandbox? pod)
    {
        ArgumentNullException.ThrowIfNull(container);
        var record = container.Record;
        var (root, ociAnnotations) = BundleSpec.Read(record.Bundle);
        return JsonText.Object(json =>
        {
            json.WriteString("name", record.Name);
            json.WriteNumber("pid", record.Pid);
            json.WriteString("image", record.ImageName);
            json.WriteString("image_ref", record.ImageRef);
            json.WriteNumber("created_time", record.CreatedAt);
            WriteMap(json, "labels", container.Config.Labels);
            WriteMap(json, "annotations", container.Config.Annotations);
            WriteMap(json, "crio_annotations", ociAnnotations.Where(a => a.Key.StartsWith("io.kubernetes.cri-o.", StringComparison.Ordinal)));
            json.WriteString("log_path", record.LogPath);
            json.WriteString("root", root);
            json.WriteString("sandbox", record.PodId);
            json.WriteStartArray("ip_addresses");
            foreach (var ip in pod?.Record.Ips ?? [])
            {
                json.WriteStringValue(ip);
            }

            json.WriteEndArray();
        });
    }

    private static void WriteMap(Utf8JsonWriter json, string name, IEnumerable<KeyValuePair<string, string>> map)
    {
        json.WriteStartObject(name);
        foreach (var (key, value) in map.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            json.WriteString(key, value);
        }

        json.WriteEndObject();
    }
}
