using System.Text.Json;
using CriO.Server.Runtime;
using CriO.Storage.Metadata;

namespace CriO.Server.Containers;

/// <summary>The containers this daemon knows and the names they reserve; and how a container's record is kept on disk.</summary>
public sealed class ContainerStore() : IdIndex<Container>("container", c => c.Id, c => c.Name)
{
    public const string RecordFileName = "container.json";

    public static void Save(string file, ContainerRecord record) =>
        MetadataFile.WriteAtomically(file, JsonSerializer.SerializeToUtf8Bytes(record, ContainerJsonContext.Default.ContainerRecord));

    public static ContainerRecord Load(string file) =>
        JsonSerializer.Deserialize(File.ReadAllBytes(file), ContainerJsonContext.Default.ContainerRecord)
        ?? throw new InvalidDataException($"{file}: empty container record");
}
