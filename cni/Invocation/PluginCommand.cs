namespace CriO.Cni.Invocation;

/// <summary>The CNI_COMMAND values the runtime sends.</summary>
internal static class PluginCommand
{
    public const string Add = "ADD";
    public const string Del = "DEL";
    public const string Check = "CHECK";
    public const string Version = "VERSION";
}
