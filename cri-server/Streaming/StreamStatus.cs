using System.Globalization;
using System.Text;

namespace CriO.Server.Streaming;

/// <summary>
/// The Kubernetes Status object the error channel carries in the v4 and v5 protocols: what
/// kubectl and client-go parse to tell success from failure and to find the exit code.
/// </summary>
internal static class StreamStatus
{
    public static byte[] Success() => Encoding.UTF8.GetBytes(JsonText.Object(json =>
    {
        json.WriteStartObject("metadata");
        json.WriteEndObject();
        json.WriteString("status", "Success");
    }));

    /// <summary>A command that ended with <paramref name="exitCode"/>: reason NonZeroExitCode, the code as an ExitCode cause.</summary>
    public static byte[] NonZeroExit(IReadOnlyList<string> command, int exitCode) => Encoding.UTF8.GetBytes(JsonText.Object(json =>
    {
        json.WriteStartObject("metadata");
        json.WriteEndObject();
        json.WriteString("status", "Failure");
        json.WriteString("message", $"command terminated with non-zero exit code: error executing command [{string.Join(' ', command)}], exit code {exitCode}");
        json.WriteString("reason", "NonZeroExitCode");
        json.WriteStartObject("details");
        json.WriteStartArray("causes");
        json.WriteStartObject();
        json.WriteString("reason", "ExitCode");
        json.WriteString("message", exitCode.ToString(CultureInfo.InvariantCulture));
        json.WriteEndObject();
        json.WriteEndArray();
        json.WriteEndObject();
    }));

    /// <summary>Any other failure, with its message (reason InternalError).</summary>
    public static byte[] Failure(string message) => Encoding.UTF8.GetBytes(JsonText.Object(json =>
    {
        json.WriteStartObject("metadata");
        json.WriteEndObject();
        json.WriteString("status", "Failure");
        json.WriteString("message", message);
        json.WriteString("reason", "InternalError");
    }));
}
