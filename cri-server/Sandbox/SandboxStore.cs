using System.Text.Json;
using CriO.Server.Runtime;
using CriO.Storage.Metadata;

namespace CriO.Server.Sandbox;

/// <summary>The pods this daemon knows and the names they reserve; and how a pod's record is kept on disk.</summary>
public sealed class SandboxStore() : IdIndex<PodSandbox>("pod sandbox", pod => pod.Id, pod => pod.Name)
{
    public const string RecordFileName = "sandbox.json";

    /// <summary>Writes a pod's record atomically (temp file, fsync, rename): a crash leaves the old or the new one.</summary>
    public static void Save(string file, PodSandboxRecord record)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(record, SandboxJsonContext.Default.PodSandboxRecord);
        MetadataFile.WriteAtomically(file, bytes);
    }

    public static PodSandboxRecord Load(string file) =>
        JsonSerializer.Deserialize(File.ReadAllBytes(file), SandboxJsonContext.Default.PodSandboxRecord)
        ?? throw new InvalidDataException($"{file}: empty pod record");
}
