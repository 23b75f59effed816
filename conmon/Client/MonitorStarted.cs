namespace CriO.Conmon.Client;

/// <summary>A created container under its monitor: the runtime's create succeeded, start is next.</summary>
/// <param name="ContainerPid">The container's init pid, from the sync pipe.</param>
/// <param name="ConmonPid">The long-lived monitor's pid, from its -P file; null if it did not write one.</param>
public sealed record MonitorStarted(int ContainerPid, int? ConmonPid);
