namespace CriO.Server.Sandbox;

/// <summary>What the pinner made for a pod: namespace files ("" where none) and the pause process (0 when none).</summary>
public sealed record PinnedNamespaces(string Net, string Ipc, string Uts, int PausePid);
