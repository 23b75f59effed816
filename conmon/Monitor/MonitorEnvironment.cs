namespace CriO.Conmon.Monitor;

/// <summary>This process's environment as <c>NAME=VALUE</c> entries, without the variables meant for the monitor alone.</summary>
internal static class MonitorEnvironment
{
    /// <summary>
    /// Everything but the pipe numbers (<c>_OCI_*</c>) and the stage marker: what the runtime,
    /// the exit command and the second stage start from.
    /// </summary>
    public static List<string> Inherited()
    {
        var environment = new List<string>();
        foreach (System.Collections.DictionaryEntry variable in Environment.GetEnvironmentVariables())
        {
            var name = (string)variable.Key;
            if (!name.StartsWith("_OCI_", StringComparison.Ordinal) && name != Program.StageVariable)
            {
                environment.Add($"{name}={variable.Value}");
            }
        }

        return environment;
    }
}
