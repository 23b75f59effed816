using System.Text.Json;

namespace CriO.Server.Containers;

public sealed partial class ContainerManager
{
    /// <summary>
    /// Finds the containers of an earlier daemon from their records. Their conmons kept running
    /// (they are not our children); exits that happened meanwhile are read from the exit files
    /// on the first look.
    /// </summary>
    public void Recover()
    {
        var count = 0;
        foreach (var stored in storage.Containers.List())
        {
            var file = RecordFile(stored.Id);
            if (!File.Exists(file))
            {
                continue;
            }

            try
            {
                store.Add(new Container(ContainerStore.Load(file)));
                count++;
            }
            catch (Exception e) when (e is JsonException or InvalidDataException or IOException or FormatException)
            {
                ContainerLog.RecoverFailed(logger, file, e.Message);
            }
        }

        ContainerLog.Recovered(logger, count);
    }
}
