using CriO.Cri;
using CriO.Oci.Spec;
using CriO.Server.Containers.Spec;
using CriO.Server.Errors;

namespace CriO.Server.Containers;

public sealed partial class ContainerManager
{
    /// <summary>
    /// Changes a container's CPU and memory limits (in-place pod resize): the runtime's update
    /// for a live container, and config.json, so what the container was given stays on record.
    /// </summary>
    public async Task UpdateResourcesAsync(string idOrPrefix, LinuxContainerResources? linux, CancellationToken cancellationToken)
    {
        if (linux is null)
        {
            return;
        }

        var container = Refresh(store.Get(idOrPrefix));
        await container.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (container.Record.State == ContainerRecord.Exited)
            {
                throw new FailedPreconditionException($"container {container.Id} has exited: its resources cannot change");
            }

            var configFile = Path.Combine(container.Record.Bundle, "config.json");
            var spec = OciJson.Deserialize(await File.ReadAllTextAsync(configFile, cancellationToken).ConfigureAwait(false));
            var resources = (spec.Linux ??= new LinuxSpec()).Resources ??= new LinuxResources();
            ContainerSpecBuilder.ApplyResources(linux, resources);
            var resourcesFile = Path.Combine(container.Record.Bundle, $"update-{Guid.NewGuid():N}.json");
            await File.WriteAllBytesAsync(resourcesFile, OciJson.SerializeResources(resources), cancellationToken).ConfigureAwait(false);
            try
            {
                await Runtime(container.Record.RuntimeHandler).UpdateAsync(container.Id, resourcesFile, CancellationToken.None).ConfigureAwait(false);
            }
            finally
            {
                File.Delete(resourcesFile);
            }

            await OciJson.WriteConfigAsync(container.Record.Bundle, spec, CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            container.Gate.Release();
        }
    }
}
