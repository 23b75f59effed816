using System.Text.Json.Serialization;

namespace CriO.Conmon.Client;

/// <summary>
/// What conmon writes on the sync pipe once the runtime's create returned:
/// <c>{"pid": N}</c>, or <c>{"pid": -1, "message": "..."}</c> with the runtime's error.
/// </summary>
internal sealed record SyncMessage(
    [property: JsonPropertyName("pid")] int Pid,
    [property: JsonPropertyName("message")] string? Message);
