namespace CriO.Oci.Runtime;

/// <summary>What an exec'd process gave back: its exit code, its output (each cut at the bound), and whether the timeout ended it.</summary>
public sealed record OciExecResult(int ExitCode, byte[] Output, byte[] Errors, bool TimedOut);
