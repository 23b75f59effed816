namespace CriO.Server.Play;

/// <summary>The pod phases crio play reports, with the API's names and meaning.</summary>
public static class PodPhase
{
    /// <summary>Every container started (restartPolicy Always) or some still running.</summary>
    public const string Running = "Running";

    /// <summary>Every container exited with 0.</summary>
    public const string Succeeded = "Succeeded";

    /// <summary>A container (or init container) exited with another code.</summary>
    public const string Failed = "Failed";

    /// <summary>Not every container got to run (the wait timed out first).</summary>
    public const string Pending = "Pending";

    public static bool IsSuccess(string phase) => phase is Running or Succeeded;
}
