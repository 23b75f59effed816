using System.Text.Json;
using CriO.Cri;
using CriO.Server.Containers;

namespace CriO.Server.Runtime;

/// <summary>How a container looks in CRI answers: the ListContainers entry, ContainerStatus and its verbose info.</summary>
public static class ContainerViews
{
    public static CriO.Cri.Container ListEntry(Containers.Container container)
    {
        ArgumentNullException.ThrowIfNull(container);
        var record = container.Record;
        return new CriO.Cri.Container
        {
            Id = container.Id,
            PodSandboxId = record.PodId,
            Metadata = container.Config.Metadata,
            Image = new ImageSpec { Image = record.ImageName },
            ImageRef = record.ImageRef,
            ImageId = record.ImageId,
            State = State(record),
            CreatedAt = record.CreatedAt,
            Labels = { container.Config.Labels },
            Annotations = { container.Config.Annotations },
        };
    }

    public static ContainerStatus Status(Containers.Container container)
    {
        ArgumentNullException.ThrowIfNull(container);
        var record = container.Record;
        var status = new ContainerStatus
        {
            Id = container.Id,
            Metadata = container.Config.Metadata,
            State = State(record),
            CreatedAt = record.CreatedAt,
            StartedAt = record.StartedAt,
            FinishedAt = record.FinishedAt,
            ExitCode = record.ExitCode,
            Image = new ImageSpec { Image = record.ImageName },
            ImageRef = record.ImageRef,
            ImageId = record.ImageId,
            Reason = record.Reason,
            Message = record.Message,
            Labels = { container.Config.Labels },
            Annotations = { container.Config.Annotations },
            LogPath = record.LogPath,
        };
        foreach (var mount in container.Config.Mounts)
        {
            status.Mounts.Add(mount);
        }

        return status;
    }

    /// <summary>The verbose "info": pid, pod, bundle and the runtime spec as written.</summary>
    public static string Info(Containers.Container container)
    {
        ArgumentNullException.ThrowIfNull(container);
        var record = container.Record;
        return JsonText.Object(json =>
        {
            json.WriteNumber("pid", record.State == ContainerRecord.Exited ? 0 : record.Pid);
            json.WriteString("sandboxID", record.PodId);
            json.WriteString("runtimeHandler", record.RuntimeHandler);
            json.WriteString("bundle", record.Bundle);
            var config = Path.Combine(record.Bundle, "config.json");
            if (File.Exists(config))
            {
                json.WritePropertyName("runtimeSpec");
                using var spec = JsonDocument.Parse(File.ReadAllBytes(config));
                spec.RootElement.WriteTo(json);
            }

        });
    }

    public static bool Matches(Containers.Container container, ContainerFilter filter)
    {
        ArgumentNullException.ThrowIfNull(container);
        ArgumentNullException.ThrowIfNull(filter);
        if (filter.Id.Length > 0 && !container.Id.StartsWith(filter.Id, StringComparison.Ordinal))
        {
            return false;
        }

        if (filter.PodSandboxId.Length > 0 && !container.Record.PodId.StartsWith(filter.PodSandboxId, StringComparison.Ordinal))
        {
            return false;
        }

        if (filter.State is { } state && state.State != State(container.Record))
        {
            return false;
        }

        return filter.LabelSelector.All(l => container.Config.Labels.TryGetValue(l.Key, out var v) && v == l.Value);
    }

    private static ContainerState State(ContainerRecord record) => record.State switch
    {
        ContainerRecord.Created => ContainerState.ContainerCreated,
        ContainerRecord.Running => ContainerState.ContainerRunning,
        ContainerRecord.Exited => ContainerState.ContainerExited,
        _ => ContainerState.ContainerUnknown,
    };
}
